package dev.lockscope.bridge;

/**
 * One finished slow-path wait, as recorded by {@link LockBridge}: written once by the waiting thread, read once
 * by the agent's drain thread after it took the record out of the ring (the ring's atomic slot exchange is the
 * happens-before edge).
 */
public final class LockWait {
    /** Waited on a j.u.c. synchronizer's exclusive (or only) mode. */
    public static final int MODE_EXCLUSIVE = 0;
    /** Waited on a j.u.c. synchronizer's shared mode (read lock, semaphore permit, latch). */
    public static final int MODE_SHARED = 1;
    /** A {@code Condition} re-acquiring its lock after a signal (AQS {@code node != null}). */
    public static final int MODE_CONDITION = 2;
    /** {@code StampedLock} write. */
    public static final int MODE_STAMPED_WRITE = 3;
    /** {@code StampedLock} read. */
    public static final int MODE_STAMPED_READ = 4;

    public final Object sync;
    public final int mode;
    public final long startNanos;
    public final long endNanos;
    public final Thread thread;
    /** Captured at the end of the wait (still inside the acquire call), or null when the stack budget ran out. */
    public final Throwable stack;

    LockWait(Object sync, int mode, long startNanos, long endNanos, Thread thread, Throwable stack) {
        this.sync = sync;
        this.mode = mode;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.thread = thread;
        this.stack = stack;
    }
}
