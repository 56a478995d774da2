package dev.lockscope.dashboard.pools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.TreeMap;

/**
 * The agent's cumulative duration histograms (scheme "log2x16ns": 16 sub-buckets per power of two of
 * nanoseconds, see the agent's {@code PoolHistogram}) and window figures from the difference of two of them.
 */
final class Histograms {
    private Histograms() {}

    static long lowerBound(int i) {
        if (i < 16) {
            return i;
        }
        int e = i / 16 + 3;
        int sub = i % 16;
        return (16L + sub) << (e - 4);
    }

    static long upperBound(int i) {
        return lowerBound(i + 1);
    }

    /** Bucket counts of {@code now} minus those of {@code then} (then may be missing: a new pool). */
    static TreeMap<Integer, Long> diff(JsonNode now, JsonNode then) {
        TreeMap<Integer, Long> out = new TreeMap<>();
        for (JsonNode b : now.path("buckets")) {
            out.merge(b.get(0).asInt(), b.get(1).asLong(), Long::sum);
        }
        if (then != null) {
            for (JsonNode b : then.path("buckets")) {
                out.merge(b.get(0).asInt(), -b.get(1).asLong(), Long::sum);
            }
        }
        out.values().removeIf(v -> v <= 0);
        return out;
    }

    /** Window summary: count, mean (exact, from sums), p50, p99 and max in milliseconds. */
    record Summary(long count, double meanMs, double p50Ms, double p99Ms, double maxMs) {
        static final Summary EMPTY = new Summary(0, 0, 0, 0, 0);
    }

    static Summary summary(JsonNode now, JsonNode then) {
        if (now == null || now.isMissingNode()) {
            return Summary.EMPTY;
        }
        TreeMap<Integer, Long> d = diff(now, then);
        long count = now.path("count").asLong() - (then == null ? 0 : then.path("count").asLong());
        long sum = now.path("sumNs").asLong() - (then == null ? 0 : then.path("sumNs").asLong());
        if (count <= 0 || d.isEmpty()) {
            return Summary.EMPTY;
        }
        long maxNs = now.path("maxNs").asLong();
        int top = d.lastKey();
        // The window's max is in the top bucket; the cumulative max bounds it when it falls in that bucket.
        double windowMax = maxNs >= lowerBound(top) && maxNs < upperBound(top) ? maxNs : upperBound(top);
        return new Summary(count, sum / 1e6 / count, quantile(d, 0.50, windowMax) / 1e6,
                quantile(d, 0.99, windowMax) / 1e6, windowMax / 1e6);
    }

    /** The value at quantile q: the middle of the bucket holding it, never above the max. */
    static double quantile(TreeMap<Integer, Long> d, double q, double max) {
        long total = 0;
        for (long c : d.values()) {
            total += c;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (var e : d.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                double mid = (lowerBound(e.getKey()) + upperBound(e.getKey())) / 2.0;
                return Math.min(mid, max);
            }
        }
        return max;
    }
}
