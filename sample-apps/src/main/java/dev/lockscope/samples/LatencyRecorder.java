package dev.lockscope.samples;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lock-free latency histogram for the samples' own reports (logarithmic buckets, 5% wide), so that measuring
 * the symptom adds no contention of its own. {@link #snapshotAndReset()} is called once a second.
 */
final class LatencyRecorder {
    private static final double BASE = 1.05;
    private static final long MIN_NANOS = 10_000;
    private static final int BUCKETS = 400;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        int b = nanos <= MIN_NANOS ? 0 : (int) Math.min(BUCKETS - 1, Math.log((double) nanos / MIN_NANOS) / Math.log(BASE));
        counts.incrementAndGet(b);
    }

    record Snapshot(long count, double p50Ms, double p99Ms, double maxMs) {
        @Override
        public String toString() {
            return String.format("n=%d p50=%.1fms p99=%.1fms max=%.1fms", count, p50Ms, p99Ms, maxMs);
        }
    }

    Snapshot snapshotAndReset() {
        long[] c = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = counts.getAndSet(i, 0);
            total += c[i];
        }
        return new Snapshot(total, percentile(c, total, 0.50), percentile(c, total, 0.99), percentile(c, total, 1.0));
    }

    private static double percentile(long[] c, long total, double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < c.length; i++) {
            seen += c[i];
            if (seen >= rank) {
                return MIN_NANOS * Math.pow(BASE, i + 1) / 1e6; // upper edge of the bucket
            }
        }
        return 0;
    }
}
