package dev.lockscope.agent.pools;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.Feature;
import dev.lockscope.agent.FeatureSwitches;
import dev.lockscope.bridge.PoolBridge;
import dev.lockscope.bridge.PoolHistogram;
import dev.lockscope.bridge.PoolStats;
import dev.lockscope.protocol.JsonWriter;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;

/**
 * Thread pools: every {@code ThreadPoolExecutor} (instrumented), every {@code ForkJoinPool}, Tomcat's and
 * Jetty's request pools, found by instrumentation and by their worker threads. Written once a second into
 * {@code body.pools} as cumulative counters and cumulative histograms (bucket scheme "log2x16ns", see
 * {@link PoolHistogram}).
 *
 * <p>Threading: {@link #writeSample} runs on the sampler thread only; the entries map is owned by it.
 */
public final class PoolsFeature implements Feature {
    /** Forget a sampled enqueue time after this long: the task was removed, drained or discarded. */
    private static final long FORGET_NANOS = 10L * 60 * 1_000_000_000L;
    /** Pools written per sample at most (an app creating a pool per request must not flood the link). */
    static final int MAX_POOLS = 500;

    private final Map<PoolStats, PoolEntry> entries = new IdentityHashMap<>();
    private PoolDiscovery discovery;
    private volatile boolean instrumented;
    private volatile ResettableClassFileTransformer transformer;
    private boolean timing;
    private java.lang.instrument.Instrumentation inst;
    private int nextId;

    @Override
    public String name() {
        return "pools";
    }

    @Override
    public void start(AgentContext ctx) {
        try {
            discovery = new PoolDiscovery(ctx.instrumentation());
        } catch (Throwable t) {
            System.err.println("lockscope: pools: cannot read worker threads (" + t + "); pools are found by instrumentation only");
        }
        timing = ctx.options().flag("pools.timing", true);
        inst = ctx.instrumentation();
        if (ctx.switches().on(FeatureSwitches.POOLS)) {
            install();
        }
    }

    private void install() {
        PoolBridge.timing = timing;
        transformer = ThreadPoolInstrumentation.install(inst, timing);
        instrumented = true;
    }

    /** The {@code pools} switch adds or removes the instrumentation; pools found by their threads stay listed. */
    @Override
    public void setSwitch(String name, boolean on) {
        if (!FeatureSwitches.POOLS.equals(name)) {
            return;
        }
        if (on && transformer == null) {
            install();
        } else if (!on) {
            stop();
        }
    }

    /** Detach: the pool classes get their original bytes back; the bridge's table stays, unused. */
    @Override
    public void stop() {
        ResettableClassFileTransformer t = transformer;
        transformer = null;
        instrumented = false;
        if (t != null) {
            ThreadPoolInstrumentation.uninstall(inst, t);
        }
    }

    @Override
    public void writeSample(JsonWriter w) {
        Map<Object, Thread> workers = discovery == null ? Map.of() : discovery.scan();
        for (Object pool : workers.keySet()) {
            PoolBridge.lookup(pool, true, false);
        }
        PoolBridge.lookup(ForkJoinPool.commonPool(), true, false);
        long now = System.nanoTime();
        Set<PoolStats> live = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        w.field("scheme", "log2x16ns");
        w.field("instrumented", instrumented && !ThreadPoolInstrumentation.TRANSFORMED.isEmpty());
        w.field("instrumentationErrors", ThreadPoolInstrumentation.ERRORS.size());
        w.field("readsThreads", discovery != null && discovery.canReadThreads());
        w.name("pools").beginArray();
        int written = 0;
        int omitted = 0;
        for (PoolStats s : PoolBridge.all()) {
            Object pool = s.pool.get();
            if (pool == null) {
                continue;
            }
            PoolAdapter adapter = PoolAdapters.forPool(pool);
            if (adapter == null) {
                continue;
            }
            live.add(s);
            if (written >= MAX_POOLS) {
                omitted++;
                continue;
            }
            PoolEntry e = entries.get(s);
            if (e == null) {
                e = new PoolEntry("p" + (++nextId), pool, s);
                entries.put(s, e);
            }
            Thread worker = workers.get(pool);
            if (worker != null) {
                e.sawWorker(worker);
            } else if (e.threadPrefix == null && s.workerName != null) {
                e.threadPrefix = PoolDiscovery.prefix(s.workerName);
            }
            PoolFigures f = new PoolFigures();
            try {
                adapter.read(pool, s, f, e.head);
            } catch (Throwable t) {
                continue; // a pool shutting down or a library that changed: skip it this second
            }
            s.resetTick();
            s.oldestPendingNanos(now - FORGET_NANOS);
            write(w, e, s, f);
            written++;
        }
        w.endArray();
        w.field("omitted", omitted);
        entries.keySet().retainAll(live);
        if (PoolBridge.dead() > 64) {
            PoolBridge.compact();
        }
    }

    private static void write(JsonWriter w, PoolEntry e, PoolStats s, PoolFigures f) {
        w.beginObject();
        w.field("id", e.id).field("kind", f.kind).field("className", e.className);
        w.field("name", e.name()).field("threadPrefix", e.threadPrefix).field("callSite", e.callSite());
        w.field("submitSite", e.submitSite());
        w.field("jdkInternal", e.jdkInternal()).field("role", e.role);
        num(w, "core", f.core);
        num(w, "max", f.max);
        num(w, "size", f.size);
        num(w, "active", f.active);
        num(w, "largest", f.largest);
        num(w, "parallelism", f.parallelism);
        num(w, "running", f.running);
        num(w, "queuedSubmissions", f.queuedSubmissions);
        num(w, "queuedTasks", f.queuedTasks);
        num(w, "steals", f.steals);
        w.field("queueType", f.queueType);
        num(w, "queueDepth", f.queueDepth);
        num(w, "queueRemaining", f.queueRemaining);
        w.field("policy", f.policy != null ? f.policy : s.lastHandler);
        w.field("scheduled", f.scheduled).field("shutdown", f.shutdown);
        num(w, "submitted", f.submitted);
        num(w, "completed", f.completed);
        num(w, "oldestQueuedAgeMs", f.oldestQueuedAgeMs);
        w.field("rejected", s.rejected());
        w.name("rejectedBy").beginObject()
                .field("abort", s.rejectedAbort.get())
                .field("callerRuns", s.rejectedCallerRuns.get())
                .field("discard", s.rejectedDiscard.get())
                .field("discardOldest", s.rejectedDiscardOldest.get())
                .field("other", s.rejectedOther.get())
                .endObject();
        histogram(w, "wait", s.wait);
        histogram(w, "run", s.run);
        histogram(w, "lateness", s.lateness);
        w.endObject();
    }

    private static void num(JsonWriter w, String name, long v) {
        if (v >= 0) {
            w.field(name, v);
        }
    }

    /** Cumulative: count, sum and max, and the non-empty buckets as [index, count] pairs. */
    private static void histogram(JsonWriter w, String name, PoolHistogram h) {
        long count = h.count();
        w.name(name).beginObject().field("count", count).field("sumNs", h.sumNanos()).field("maxNs", h.maxNanos());
        w.name("buckets").beginArray();
        if (count > 0) {
            for (int i = 0; i < PoolHistogram.BUCKETS; i++) {
                long c = h.bucket(i);
                if (c != 0) {
                    w.beginArray().value(i).value(c).endArray();
                }
            }
        }
        w.endArray().endObject();
    }

    /** What the sampler remembers about one pool between samples. */
    private static final class PoolEntry {
        final String id;
        final String className;
        final PoolStats stats;
        final PoolAdapter.Head head = new PoolAdapter.Head();
        final Set<String> hierarchy = new HashSet<>();
        String threadPrefix;
        String role;
        boolean carrier;

        PoolEntry(String id, Object pool, PoolStats stats) {
            this.id = id;
            this.className = pool.getClass().getName();
            this.stats = stats;
            for (Class<?> c = pool.getClass(); c != null; c = c.getSuperclass()) {
                hierarchy.add(c.getName());
            }
            if (pool == ForkJoinPool.commonPool()) {
                role = "common pool";
            }
        }

        void sawWorker(Thread t) {
            if (threadPrefix == null) {
                threadPrefix = PoolDiscovery.prefix(t.getName());
            }
            if (t.getClass().getName().equals("jdk.internal.misc.CarrierThread")) {
                carrier = true;
                role = "virtual-thread scheduler";
            }
        }

        String name() {
            if (threadPrefix != null) {
                String p = threadPrefix;
                while (!p.isEmpty() && "-_.#".indexOf(p.charAt(p.length() - 1)) >= 0) {
                    p = p.substring(0, p.length() - 1);
                }
                if (!p.isEmpty()) {
                    return p;
                }
            }
            return role != null ? role : className.substring(className.lastIndexOf('.') + 1) + " " + id;
        }

        /** First frame of the creating stack outside the pool's own classes and java.util.concurrent. */
        StackTraceElement callFrame() {
            return firstOutside(stats.createdAt);
        }

        /** For pools created before the instrumentation: where the first task seen was submitted from. */
        String submitSite() {
            if (stats.createdAt != null) {
                return null;
            }
            StackTraceElement f = firstOutside(stats.firstSubmitAt);
            return f == null ? null : f.toString();
        }

        private StackTraceElement firstOutside(StackTraceElement[] st) {
            if (st == null) {
                return null;
            }
            for (StackTraceElement f : st) {
                String c = f.getClassName();
                if (c.startsWith("dev.lockscope.bridge.") || c.startsWith("java.util.concurrent.")
                        || hierarchy.contains(c)) {
                    continue;
                }
                return f;
            }
            return null;
        }

        String callSite() {
            StackTraceElement f = callFrame();
            return f == null ? null : f.toString();
        }

        boolean jdkInternal() {
            if (carrier) {
                return true;
            }
            StackTraceElement f = callFrame();
            if (f == null) {
                return false;
            }
            String c = f.getClassName();
            return c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("com.sun.");
        }
    }
}
