package dev.lockscope.agent.pools;

import dev.lockscope.bridge.AgentThread;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * Finds pools through their worker threads, so pools that existed before a dynamic attach (or that are not
 * instrumented, like Jetty's) are listed too: a thread's {@code Runnable} is a pool's worker
 * ({@code ThreadPoolExecutor$Worker}, Jetty's {@code QueuedThreadPool$Runner}, each an inner class whose
 * {@code this$0} is the pool), possibly inside a wrapper such as Tomcat's {@code TaskThread$WrappingRunnable}.
 * ForkJoin workers name their pool themselves.
 *
 * <p>The thread's runnable is a private field of {@code Thread} ({@code target} on JDK 17, {@code holder.task}
 * on JDK 19+): {@code java.lang} and {@code java.util.concurrent} are opened to the agent with
 * {@link Instrumentation#redefineModule}, since an agent cannot use {@code --add-opens}.
 */
final class PoolDiscovery {
    /** A worker thread seen for a pool in the last scan. */
    record Seen(Object pool, Thread thread) {}

    private final Field target;
    private final Field holder;
    private final Field holderTask;
    private final Map<Class<?>, Field[]> links = new ConcurrentHashMap<>();
    private static final Field[] NONE = new Field[0];

    PoolDiscovery(Instrumentation inst) {
        Module me = PoolDiscovery.class.getModule();
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("java.lang", Set.of(me), "java.util.concurrent", Set.of(me)), Set.of(), Map.of());
        target = field(Thread.class, "target");
        holder = field(Thread.class, "holder");
        holderTask = holder == null ? null : field(holder.getType(), "task");
    }

    boolean canReadThreads() {
        return target != null || holderTask != null;
    }

    private static Field field(Class<?> c, String name) {
        try {
            Field f = c.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Every platform thread's pool, first worker thread per pool (identity map). */
    Map<Object, Thread> scan() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        Thread[] threads = new Thread[g.activeCount() * 2 + 16];
        int n = g.enumerate(threads, true);
        Map<Object, Thread> out = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (t instanceof AgentThread) {
                continue;
            }
            Object pool = poolOf(t);
            if (pool != null) {
                out.putIfAbsent(pool, t);
            }
        }
        return out;
    }

    private Object poolOf(Thread t) {
        if (t instanceof ForkJoinWorkerThread w) {
            return w.getPool();
        }
        Object r = runnable(t);
        for (int depth = 0; r != null && depth < 3; depth++) {
            Field[] l = links(r.getClass());
            if (l.length == 0) {
                return null;
            }
            Object next;
            try {
                next = l[0].get(r);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
            if (next != null && PoolAdapters.forPool(next) != null) {
                return next;
            }
            r = next;
        }
        return null;
    }

    private Object runnable(Thread t) {
        try {
            if (target != null) {
                return target.get(t);
            }
            if (holderTask != null) {
                Object h = holder.get(t);
                return h == null ? null : holderTask.get(h);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // unreadable: the pool is found by its instrumentation instead
        }
        return null;
    }

    /** The field leading from a worker to its pool ({@code this$0}) or from a wrapper to the runnable it wraps. */
    private Field[] links(Class<?> c) {
        return links.computeIfAbsent(c, k -> {
            Field outer = field(k, "this$0");
            if (outer != null) {
                return new Field[] {outer};
            }
            for (Field f : k.getDeclaredFields()) {
                if (Runnable.class.isAssignableFrom(f.getType()) && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    try {
                        f.setAccessible(true);
                        return new Field[] {f};
                    } catch (RuntimeException e) {
                        return NONE;
                    }
                }
            }
            return NONE;
        });
    }

    /** {@code orders-worker-3} → {@code orders-worker-}: the factory's prefix, without the thread's number. */
    static String prefix(String threadName) {
        int end = threadName.length();
        while (end > 0 && Character.isDigit(threadName.charAt(end - 1))) {
            end--;
        }
        return end == 0 ? threadName : threadName.substring(0, end);
    }
}
