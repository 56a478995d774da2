package dev.lockscope.bridge;

import java.util.concurrent.Delayed;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the thread-pool advice calls (inlined into {@code ThreadPoolExecutor}): pool discovery, rejections by
 * policy and sampled queue-wait / run / lateness timing. Tasks are never wrapped or replaced.
 *
 * <p>Pools live in an open-addressing table keyed by identity hash, holding each pool weakly; the agent's
 * sampler reads it and compacts it ({@link #compact}) when collected pools leave holes. Every method catches
 * {@code Throwable} and counts it in {@link BridgeErrors}; none blocks.
 */
public final class PoolBridge {
    private static final int INITIAL = 1024;
    private static volatile AtomicReferenceArray<PoolStats> table = new AtomicReferenceArray<>(INITIAL);

    /** False when the agent runs with {@code pools.timing=false}: counts and discovery only, no task sampling. */
    public static volatile boolean timing = true;

    private PoolBridge() {}

    /** Advice: a ThreadPoolExecutor constructor finished. */
    public static void created(Object pool) {
        try {
            boolean agent = AgentThread.current();
            PoolStats s = lookup(pool, true, agent);
            if (s != null && !s.ignored && s.createdAt == null) {
                s.createdAt = new Throwable().getStackTrace();
                s.submitSiteTaken = true; // the constructor's call site says more
            }
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    /** Advice: {@code ThreadPoolExecutor.execute(task)} entered. */
    public static void execute(Object pool, Object task) {
        try {
            if (task == null || AgentThread.current()) {
                return;
            }
            PoolStats s = lookup(pool, true, false);
            if (s != null && !s.ignored) {
                if (!s.submitSiteTaken && s.createdAt == null) {
                    s.submitSiteTaken = true; // once per pool: a stack trace is too dear for every task
                    s.firstSubmitAt = new Throwable().getStackTrace();
                }
                if (timing) {
                    s.onExecute(task);
                }
            }
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    /** Advice: {@code ThreadPoolExecutor.beforeExecute(thread, task)} entered on the worker thread. */
    public static void beforeExecute(Object pool, Object task) {
        try {
            if (!(task instanceof Delayed) && PoolStats.GLOBAL.get() == 0) {
                return; // no sampled task anywhere: nothing to match (the common case past the sampling budget)
            }
            if (AgentThread.current()) {
                return;
            }
            PoolStats s = lookup(pool, true, false);
            if (s == null || s.ignored) {
                return;
            }
            if (task instanceof Delayed d) {
                if (s.workerName == null) {
                    s.workerName = Thread.currentThread().getName();
                }
                // Scheduled pools: lateness against the intended start, not time in the queue.
                if (s.sampleThis()) {
                    long now = System.nanoTime();
                    s.lateness.record(Math.max(0, -d.getDelay(TimeUnit.NANOSECONDS)));
                    s.onStarted(now);
                }
                return;
            }
            s.onBeforeExecute(task);
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    /** Advice: {@code ThreadPoolExecutor.afterExecute(task, throwable)} entered on the worker thread. */
    public static void afterExecute(Object pool) {
        try {
            if (PoolStats.GLOBAL.get() == 0 || AgentThread.current()) {
                return;
            }
            PoolStats s = lookup(pool, false, false);
            if (s != null && !s.ignored) {
                s.onAfterExecute();
            }
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    /** Advice: {@code ThreadPoolExecutor.reject(task)} entered: counted by the handler's built-in policy. */
    public static void rejected(Object pool, Object task, Object handler) {
        try {
            if (AgentThread.current()) {
                return;
            }
            PoolStats s = lookup(pool, true, false);
            if (s == null || s.ignored) {
                return;
            }
            s.take(task); // it will never reach beforeExecute through the queue
            if (handler instanceof ThreadPoolExecutor.CallerRunsPolicy) {
                s.rejectedCallerRuns.incrementAndGet();
            } else if (handler instanceof ThreadPoolExecutor.AbortPolicy) {
                s.rejectedAbort.incrementAndGet();
            } else if (handler instanceof ThreadPoolExecutor.DiscardOldestPolicy) {
                s.rejectedDiscardOldest.incrementAndGet();
            } else if (handler instanceof ThreadPoolExecutor.DiscardPolicy) {
                s.rejectedDiscard.incrementAndGet();
            } else {
                s.rejectedOther.incrementAndGet();
            }
            if (handler != null && s.lastHandler == null) {
                s.lastHandler = handler.getClass().getName();
            }
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    /** The stats of {@code pool}; registers it when {@code create} (as ignored when {@code agent}). */
    public static PoolStats lookup(Object pool, boolean create, boolean agent) {
        AtomicReferenceArray<PoolStats> t = table;
        int len = t.length();
        int h = System.identityHashCode(pool);
        int i = mix(h) & (len - 1);
        for (int p = 0; p < len; p++, i = (i + 1) & (len - 1)) {
            PoolStats s = t.get(i);
            if (s == null) {
                if (!create) {
                    return null;
                }
                PoolStats fresh = new PoolStats(pool, h, agent);
                if (t.compareAndSet(i, null, fresh)) {
                    if (p > len / 2) {
                        grow(t); // crowded: the sampler will not keep up with a pool-per-request app otherwise
                    }
                    return fresh;
                }
                s = t.get(i);
            }
            if (s.hash == h && s.pool.get() == pool) {
                return s;
            }
        }
        grow(t);
        return null;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private static void grow(AtomicReferenceArray<PoolStats> old) {
        rebuild(old, old.length() * 2);
    }

    /** Sampler: drops collected pools, rebuilding the table. Registrations racing with it may be lost and are
     *  made again on the pool's next execute. */
    public static void compact() {
        AtomicReferenceArray<PoolStats> t = table;
        rebuild(t, t.length());
    }

    private static void rebuild(AtomicReferenceArray<PoolStats> old, int size) {
        if (table != old || !REBUILDING.compareAndSet(false, true)) {
            return; // someone else is at it (no locks in bridge code)
        }
        try {
            rebuildNow(old, size);
        } finally {
            REBUILDING.set(false);
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean REBUILDING =
            new java.util.concurrent.atomic.AtomicBoolean();

    private static void rebuildNow(AtomicReferenceArray<PoolStats> old, int size) {
        AtomicReferenceArray<PoolStats> n = new AtomicReferenceArray<>(Math.max(INITIAL, size));
        int len = n.length();
        for (int j = 0; j < old.length(); j++) {
            PoolStats s = old.get(j);
            if (s == null || s.pool.get() == null) {
                continue;
            }
            int i = mix(s.hash) & (len - 1);
            while (n.get(i) != null) {
                i = (i + 1) & (len - 1);
            }
            n.set(i, s);
        }
        table = n;
    }

    /** Every live pool's stats (a point-in-time copy; ignored pools excluded). */
    public static PoolStats[] all() {
        AtomicReferenceArray<PoolStats> t = table;
        int count = 0;
        PoolStats[] out = new PoolStats[16];
        for (int j = 0; j < t.length(); j++) {
            PoolStats s = t.get(j);
            if (s != null && !s.ignored && s.pool.get() != null) {
                if (count == out.length) {
                    out = java.util.Arrays.copyOf(out, count * 2);
                }
                out[count++] = s;
            }
        }
        return java.util.Arrays.copyOf(out, count);
    }

    /** How many table entries hold a collected pool (the sampler compacts when this grows). */
    public static int dead() {
        AtomicReferenceArray<PoolStats> t = table;
        int dead = 0;
        for (int j = 0; j < t.length(); j++) {
            PoolStats s = t.get(j);
            if (s != null && s.pool.get() == null) {
                dead++;
            }
        }
        return dead;
    }
}
