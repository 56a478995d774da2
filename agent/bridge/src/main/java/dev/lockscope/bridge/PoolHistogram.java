package dev.lockscope.bridge;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free, cumulative, log-linear histogram of nanosecond durations: 16 sub-buckets per power of two, so a
 * bucket's width is at most 1/16 (6.25 %) of its value. Exact count, sum and maximum are kept beside the
 * buckets. Writers never block; a reader sees a point-in-time view that may be a few updates stale.
 *
 * <p>The bucket scheme ({@link #index}, {@link #lowerBound}) is part of the wire format ("log2x16ns"): the
 * dashboard computes percentiles of a time window from the difference of two cumulative bucket arrays.
 */
public final class PoolHistogram {
    /** Values up to 2^45 ns (about 9.7 hours); larger ones land in the last bucket. */
    public static final int BUCKETS = (45 - 3) * 16 + 16;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray totals = new AtomicLongArray(3); // count, sum, max

    public static int index(long nanos) {
        if (nanos < 16) {
            return nanos < 0 ? 0 : (int) nanos;
        }
        int e = 63 - Long.numberOfLeadingZeros(nanos);
        if (e > 45) {
            return BUCKETS - 1;
        }
        int sub = (int) ((nanos >>> (e - 4)) & 15);
        int i = (e - 3) * 16 + sub;
        return Math.min(i, BUCKETS - 1);
    }

    /** Smallest value that falls into bucket {@code i}. */
    public static long lowerBound(int i) {
        if (i < 16) {
            return i;
        }
        int e = i / 16 + 3;
        int sub = i % 16;
        return (16L + sub) << (e - 4);
    }

    public void record(long nanos) {
        try {
            if (nanos < 0) {
                nanos = 0;
            }
            counts.incrementAndGet(index(nanos));
            totals.incrementAndGet(0);
            totals.addAndGet(1, nanos);
            long max;
            while (nanos > (max = totals.get(2))) {
                if (totals.compareAndSet(2, max, nanos)) {
                    break;
                }
            }
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    public long count() {
        return totals.get(0);
    }

    public long sumNanos() {
        return totals.get(1);
    }

    public long maxNanos() {
        return totals.get(2);
    }

    public long bucket(int i) {
        return counts.get(i);
    }
}
