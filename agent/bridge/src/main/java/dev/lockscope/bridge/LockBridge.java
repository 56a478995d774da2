package dev.lockscope.bridge;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The only code the lock advice calls (it is inlined into {@code AbstractQueuedSynchronizer},
 * {@code AbstractQueuedLongSynchronizer} and {@code StampedLock}, so this class lives in the bootstrap loader).
 *
 * <p>Called only on the slow path, after a thread actually went through the synchronizer's wait loop. It puts
 * one {@link LockWait} into a fixed ring of slots with a single compare-and-set and returns: no locks, no maps,
 * no logging, no class loading (every class used here is loaded when the agent installs). When the slot it
 * lands on is still full (the drain thread fell behind) the wait is dropped and counted in {@link #dropped()}.
 * The agent's drain thread empties the ring with {@link #drain}; order is restored there by end time.
 *
 * <p>Stacks: a {@code Throwable} is created (its frames are materialised later, off the application thread)
 * when the wait lasted at least {@link #stackMinNanos} and the per-interval stack budget, refilled by the drain
 * thread, is not used up; waits longer than {@link #alwaysStackNanos} always get one.
 */
public final class LockBridge {
    private static final int SIZE = 1 << 14;
    private static final int MASK = SIZE - 1;
    private static final AtomicReferenceArray<LockWait> RING = new AtomicReferenceArray<>(SIZE);
    private static final AtomicLong CURSOR = new AtomicLong();
    private static final AtomicLong RECORDED = new AtomicLong();
    private static final AtomicLong DROPPED = new AtomicLong();
    private static final AtomicLong STACK_BUDGET = new AtomicLong();
    private static final AtomicLong SHED = new AtomicLong();

    /** Off until the agent finished installing; the advice is a no-op until then. */
    public static volatile boolean enabled;
    public static volatile long stackMinNanos = 1_000_000L;
    public static volatile long alwaysStackNanos = 50_000_000L;
    /** Set by the agent's overhead governor: no stacks at all while the wait rate is over its budget. */
    public static volatile boolean shedStacks;
    /** Set by the overhead governor: shorter waits are only counted ({@link #shed()}), not recorded. */
    public static volatile long minRecordNanos;
    /** Test hook ({@code -Dlockscope.test.lockBridgeThrows=true}): every call throws inside the bridge. */
    public static volatile boolean faultInjection;

    private LockBridge() {}

    /**
     * A {@code Condition} re-acquire after {@code await} always runs the wait loop, also when the lock is free
     * once the thread is signalled; one that took less than this did not park (a park and wake-up takes longer),
     * so it is no wait. Measured in the benchmark shop service: 61 % of all recorded waits were such re-acquires,
     * 0.4 µs each on average.
     */
    public static final long CONDITION_MIN_NANOS = 10_000L;

    /** From the AQS / AQLS 6-argument {@code acquire} exit: {@code node != null} is a Condition re-acquire. */
    public static void aqsAcquired(Object sync, boolean conditionReacquire, boolean shared, long startNanos) {
        if (!enabled) {
            return;
        }
        try {
            if (conditionReacquire) {
                if (System.nanoTime() - startNanos >= CONDITION_MIN_NANOS) {
                    record(sync, LockWait.MODE_CONDITION, startNanos);
                }
                return;
            }
            record(sync, shared ? LockWait.MODE_SHARED : LockWait.MODE_EXCLUSIVE, startNanos);
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    /** From {@code StampedLock.acquireWrite/acquireRead} exit. */
    public static void stampedAcquired(Object lock, boolean write, long startNanos) {
        if (!enabled) {
            return;
        }
        try {
            record(lock, write ? LockWait.MODE_STAMPED_WRITE : LockWait.MODE_STAMPED_READ, startNanos);
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    private static void record(Object sync, int mode, long startNanos) {
        Thread current = Thread.currentThread();
        if (current instanceof AgentThread) {
            return;
        }
        if (faultInjection) {
            throw new IllegalStateException("lockscope test hook: lock bridge fault injection");
        }
        long end = System.nanoTime();
        long waited = end - startNanos;
        if (waited < minRecordNanos) {
            SHED.incrementAndGet();
            return;
        }
        Throwable stack = null;
        if (!shedStacks && (waited >= alwaysStackNanos || waited >= stackMinNanos && STACK_BUDGET.getAndDecrement() > 0)) {
            stack = new Throwable();
        }
        LockWait w = new LockWait(sync, mode, startNanos, end, current, stack);
        int slot = (int) (CURSOR.getAndIncrement() & MASK);
        if (RING.compareAndSet(slot, null, w)) {
            RECORDED.incrementAndGet();
        } else {
            DROPPED.incrementAndGet();
        }
    }

    /**
     * Moves every recorded wait into {@code out} (starting at index 0) and returns how many; called by the
     * agent's single drain thread only. {@code out} must have {@link #capacity()} slots.
     */
    public static int drain(LockWait[] out) {
        int n = 0;
        for (int i = 0; i < SIZE; i++) {
            if (RING.get(i) != null) {
                LockWait w = RING.getAndSet(i, null);
                if (w != null) {
                    out[n++] = w;
                }
            }
        }
        return n;
    }

    public static int capacity() {
        return SIZE;
    }

    /** Sets how many stacks may be captured until the next refill (called by the drain thread). */
    public static void refillStackBudget(long stacks) {
        STACK_BUDGET.set(stacks);
    }

    /** Waits put into the ring since start (cumulative). */
    public static long recorded() {
        return RECORDED.get();
    }

    /** Waits only counted, not recorded, because the governor raised {@link #minRecordNanos} (cumulative). */
    public static long shed() {
        return SHED.get();
    }

    /** Waits lost because the ring slot was still full (cumulative). */
    public static long dropped() {
        return DROPPED.get();
    }
}
