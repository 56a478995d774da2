package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.locks.LockService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Serialization bottleneck (hot lock): a lock held a large share of wall time by the threads that need it, with
 * a steady queue of waiters. Its serial fraction S bounds the speed-up from more threads at 1/S (Amdahl).
 */
final class HotLockDetector implements Detector {
    /** On average at least one thread is always waiting: the lock, not the work, sets the pace. */
    static final double MIN_MEAN_WAITERS = Thresholds.number("hotLock.minMeanWaiters", 1.0);
    /** Held at least a third of the window (agent's hand-off estimator, a lower bound): speed-up capped at 3×. */
    static final double MIN_SERIAL_FRACTION = Thresholds.number("hotLock.minSerialFraction", 0.3);
    /** Enough contended acquisitions that this is a pattern, not one long hold. */
    static final double MIN_WAITS_PER_SEC = Thresholds.number("hotLock.minWaitsPerSec", 5);

    private final long windowMs;
    private final LockService locks = new LockService();

    HotLockDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "hot-lock";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JsonNode ranking = locks.ranking(jvm, windowMs);
        if (!ranking.path("locks").isArray() || ranking.path("locks").isEmpty()) {
            return List.of();
        }
        Set<String> stampedes = StampedeDetector.patterns(jvm, nowMs, windowMs).stream()
                .map(StampedeDetector.Pattern::lockId).collect(Collectors.toSet());
        double seconds = Math.max(1, ranking.path("windowSeconds").asDouble(windowMs / 1000.0));
        List<Detection> out = new ArrayList<>();
        for (JsonNode l : ranking.path("locks")) {
            String id = l.path("id").asText();
            double meanWaiters = l.path("totalWaitMs").asDouble() / (seconds * 1000);
            double s = l.path("utilisation").asDouble(0);
            if (stampedes.contains(id) || meanWaiters < MIN_MEAN_WAITERS || s < MIN_SERIAL_FRACTION
                    || l.path("waitsPerSec").asDouble() < MIN_WAITS_PER_SEC) {
                continue;
            }
            String name = l.path("name").asText(id);
            String site = l.path("callSite").asText("");
            String holderAt = Frames.appFrames(Frames.heaviest(l.path("ownerStacks")), 3);
            Evidence ev = new Evidence().window(ranking.path("fromTs").asLong(), ranking.path("toTs").asLong())
                    .link("locks", id, "Lock " + name).link("profiles", null, "Lock flame graph");
            ev.node().put("lockId", id).put("lock", name).put("callSite", site).put("serialFraction", round(s))
                    .put("amdahlCeiling", round(1 / s)).put("meanWaiters", round(meanWaiters))
                    .put("waitsPerSec", l.path("waitsPerSec").asDouble()).put("p99WaitMs", l.path("p99WaitMs").asDouble())
                    .put("holdTimeMeanMs", l.path("holdTimeMeanMs").asDouble()).put("estimator", l.path("holdTimeEstimator").asText())
                    .put("holderFrames", holderAt);
            String explanation = String.format(Locale.ROOT,
                    "Serialization bottleneck on %s%s: the threads that need it hold it about %.0f%% of the time "
                            + "(serial fraction S ≈ %.2f, estimated from lock hand-offs, a lower bound) and %.1f threads "
                            + "wait for it on average (%.0f contended acquisitions/s, p99 wait %.1f ms). By Amdahl's law "
                            + "the work behind this lock can never run more than 1/S ≈ %.1f× faster however many threads "
                            + "you add: extra threads only lengthen the queue.",
                    name, holderAt.isEmpty() ? "" : " (held in " + holderAt + ")", s * 100, s, meanWaiters,
                    l.path("waitsPerSec").asDouble(), l.path("p99WaitMs").asDouble(), 1 / s);
            String fix = "Shorten the critical section" + (site.isEmpty() ? "" : " at " + site)
                    + ": move everything that does not need the lock (computation, I/O, logging) outside it; or "
                    + "stripe/shard the lock by key; or replace the guarded structure with a concurrent one "
                    + "(ConcurrentHashMap, LongAdder, an immutable snapshot swapped atomically).";
            out.add(new Detection(id, Severity.WARNING, "Hot lock " + name, explanation, fix, ev.node()));
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
