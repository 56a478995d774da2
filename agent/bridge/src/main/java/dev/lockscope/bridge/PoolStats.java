package dev.lockscope.bridge;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the instrumentation records for one pool, held in {@link PoolBridge}'s table. The pool itself is held
 * weakly. Tasks are never wrapped: a sampled task is remembered by identity in a small fixed table of slots
 * (task, enqueue time) from {@code execute} until {@code beforeExecute}, and by (thread, start time) until
 * {@code afterExecute}.
 *
 * <p>Thread-safety: written by application threads with atomics and plain racy counters (only used to decide
 * what to sample); read by the agent's sampler thread. Never blocks.
 */
public final class PoolStats {
    static final int SLOTS = 256;
    static final int PROBES = 8;

    public final WeakReference<Object> pool;
    public final int hash;
    /** True for pools the agent itself created: recorded so nothing about them is ever reported. */
    public final boolean ignored;
    /** Where the pool was constructed (null when it was found later, e.g. after a dynamic attach). */
    public volatile StackTraceElement[] createdAt;
    public final long createdNanos = System.nanoTime();
    /** For pools created before the instrumentation: where the first task seen was submitted from. */
    public volatile StackTraceElement[] firstSubmitAt;
    volatile boolean submitSiteTaken;
    /** Name of the first worker thread seen running a task (the pool's thread-name prefix comes from it). */
    public volatile String workerName;

    public final PoolHistogram wait = new PoolHistogram();
    public final PoolHistogram run = new PoolHistogram();
    /** Scheduled pools: how late each run started against its intended time. */
    public final PoolHistogram lateness = new PoolHistogram();

    public final AtomicLong rejectedAbort = new AtomicLong();
    public final AtomicLong rejectedCallerRuns = new AtomicLong();
    public final AtomicLong rejectedDiscard = new AtomicLong();
    public final AtomicLong rejectedDiscardOldest = new AtomicLong();
    public final AtomicLong rejectedOther = new AtomicLong();
    /** Class name of the last rejection handler seen, for display. */
    public volatile String lastHandler;

    /** Executions seen in the current second (reset by the sampler): below the budget every task is sampled. */
    int tick;
    volatile int outstanding;
    /**
     * Sampled tasks waiting or running in all pools together: while it is zero, beforeExecute and afterExecute
     * of unsampled tasks skip the pool lookup altogether. Only sampled tasks write it.
     */
    static final java.util.concurrent.atomic.AtomicInteger GLOBAL = new java.util.concurrent.atomic.AtomicInteger();
    volatile int running;
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<PoolStats> RUNNING =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(PoolStats.class, "running");

    private final AtomicReferenceArray<Object> slotTask = new AtomicReferenceArray<>(SLOTS);
    private final AtomicLongArray slotNanos = new AtomicLongArray(SLOTS);
    /** Sampled tasks running now: (thread, start time); indexed like the wait slots. */
    private final AtomicReferenceArray<Object> runThread = new AtomicReferenceArray<>(SLOTS);
    private final AtomicLongArray runNanos = new AtomicLongArray(SLOTS);

    PoolStats(Object pool, int hash, boolean ignored) {
        this.pool = new WeakReference<>(pool);
        this.hash = hash;
        this.ignored = ignored;
    }

    /** Tasks per second that are all sampled; above it one in 64. */
    static final int FULL_SAMPLE_BUDGET = 256;

    /**
     * Whether to sample this execution: every one while the pool is under its budget for this second, then one
     * in 64 chosen by the calling thread's own random generator. Past the budget the shared counter is only
     * read, never written, so producers and workers do not fight over this object's cache line.
     */
    boolean sampleThis() {
        if (tick < FULL_SAMPLE_BUDGET) {
            tick++;
            return true;
        }
        return (java.util.concurrent.ThreadLocalRandom.current().nextInt() & 63) == 0;
    }

    void onExecute(Object task) {
        if (!sampleThis()) {
            return;
        }
        int h = System.identityHashCode(task);
        for (int p = 0; p < PROBES; p++) {
            int i = (h + p) & (SLOTS - 1);
            if (slotTask.get(i) == null) {
                slotNanos.set(i, System.nanoTime());
                if (slotTask.compareAndSet(i, null, task)) {
                    GLOBAL.incrementAndGet();
                    OUTSTANDING.incrementAndGet(this);
                    return;
                }
            }
        }
    }

    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<PoolStats> OUTSTANDING =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(PoolStats.class, "outstanding");

    /** Removes {@code task} from the wait slots; returns its enqueue time or -1 when it was not sampled. */
    long take(Object task) {
        if (outstanding == 0) {
            return -1;
        }
        int h = System.identityHashCode(task);
        for (int p = 0; p < PROBES; p++) {
            int i = (h + p) & (SLOTS - 1);
            if (slotTask.get(i) == task) {
                long t = slotNanos.get(i);
                if (slotTask.compareAndSet(i, task, null)) {
                    GLOBAL.decrementAndGet();
                    OUTSTANDING.decrementAndGet(this);
                    return t;
                }
            }
        }
        return -1;
    }

    void onBeforeExecute(Object task) {
        long enqueued = take(task);
        if (enqueued < 0) {
            return;
        }
        long now = System.nanoTime();
        wait.record(now - enqueued);
        Thread t = Thread.currentThread();
        if (workerName == null) {
            workerName = t.getName();
        }
        int h = System.identityHashCode(t);
        for (int p = 0; p < PROBES; p++) {
            int i = (h + p) & (SLOTS - 1);
            if (runThread.get(i) == null) {
                runNanos.set(i, now);
                if (runThread.compareAndSet(i, null, t)) {
                    GLOBAL.incrementAndGet();
                    RUNNING.incrementAndGet(this);
                    return;
                }
            }
        }
    }

    void onStarted(long startNanos) {
        Thread t = Thread.currentThread();
        int h = System.identityHashCode(t);
        for (int p = 0; p < PROBES; p++) {
            int i = (h + p) & (SLOTS - 1);
            if (runThread.get(i) == null) {
                runNanos.set(i, startNanos);
                if (runThread.compareAndSet(i, null, t)) {
                    GLOBAL.incrementAndGet();
                    RUNNING.incrementAndGet(this);
                    return;
                }
            }
        }
    }

    void onAfterExecute() {
        if (running == 0) {
            return;
        }
        Thread t = Thread.currentThread();
        int h = System.identityHashCode(t);
        for (int p = 0; p < PROBES; p++) {
            int i = (h + p) & (SLOTS - 1);
            if (runThread.get(i) == t) {
                long started = runNanos.get(i);
                runThread.set(i, null);
                GLOBAL.decrementAndGet();
                RUNNING.decrementAndGet(this);
                run.record(System.nanoTime() - started);
                return;
            }
        }
    }

    /** Sampler: starts a new second of the sampling budget. */
    public void resetTick() {
        tick = 0;
    }

    /**
     * Enqueue time of the oldest sampled task not yet started (System.nanoTime), or -1. Slots older than
     * {@code forgetBeforeNanos} are dropped (tasks removed from the queue, discarded or drained never reach
     * beforeExecute).
     */
    public long oldestPendingNanos(long forgetBeforeNanos) {
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < SLOTS; i++) {
            Object task = slotTask.get(i);
            if (task == null) {
                continue;
            }
            long t = slotNanos.get(i);
            if (t - forgetBeforeNanos < 0) {
                if (slotTask.compareAndSet(i, task, null)) {
                    GLOBAL.decrementAndGet();
                    OUTSTANDING.decrementAndGet(this);
                }
                continue;
            }
            oldest = Math.min(oldest, t);
        }
        return oldest == Long.MAX_VALUE ? -1 : oldest;
    }

    /** Enqueue time of {@code task} if it is a sampled task not yet started, else -1 (does not remove it). */
    public long pendingSince(Object task) {
        if (task == null || outstanding == 0) {
            return -1;
        }
        int h = System.identityHashCode(task);
        for (int p = 0; p < PROBES; p++) {
            int i = (h + p) & (SLOTS - 1);
            if (slotTask.get(i) == task) {
                return slotNanos.get(i);
            }
        }
        return -1;
    }

    public long rejected() {
        return rejectedAbort.get() + rejectedCallerRuns.get() + rejectedDiscard.get() + rejectedDiscardOldest.get()
                + rejectedOther.get();
    }
}
