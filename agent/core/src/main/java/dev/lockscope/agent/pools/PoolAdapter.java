package dev.lockscope.agent.pools;

import dev.lockscope.bridge.PoolStats;

/**
 * Reads one kind of pool. Adding another server's pool is one implementation of this interface plus a line in
 * {@link PoolAdapters#ALL} (and, if its worker threads hide the pool, a line in {@link PoolDiscovery}).
 * Readers run on the agent's sampler thread, once a second; they must not change the pool.
 */
interface PoolAdapter {
    /** True when this adapter reads {@code pool}; a cheap class-name or instanceof test. */
    boolean accepts(Object pool);

    /** Fills {@code f}; {@code stats} holds what the instrumentation recorded (may be empty). */
    void read(Object pool, PoolStats stats, PoolFigures f, Head head) throws Exception;

    /** The sampler's memory of a pool's queue head, for the age of an unsampled head task. */
    final class Head {
        private java.lang.ref.WeakReference<Object> task = new java.lang.ref.WeakReference<>(null);
        private long firstSeenNanos;

        /**
         * Age in ms of the longest-waiting queued task, {@code head} being the queue's head (null when empty):
         * exact when the head is a sampled task; otherwise the oldest sampled task not yet started (in a FIFO
         * queue that is at or just behind the head) or, failing that, how long the head has been seen there.
         */
        long ageMs(Object head, PoolStats stats, long now) {
            if (head == null) {
                task = new java.lang.ref.WeakReference<>(null);
                // Sampled tasks still pending with an empty queue for over a second were removed or drained.
                stats.oldestPendingNanos(now - 1_000_000_000L);
                return 0;
            }
            long since = stats.pendingSince(head);
            if (task.get() != head) {
                task = new java.lang.ref.WeakReference<>(head);
                firstSeenNanos = since >= 0 ? since : now;
            }
            if (since < 0) {
                long oldest = stats.oldestPendingNanos(now - 600_000_000_000L);
                since = oldest >= 0 && oldest - firstSeenNanos < 0 ? oldest : firstSeenNanos;
            }
            return Math.max(0, now - since) / 1_000_000;
        }
    }
}
