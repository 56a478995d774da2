package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.waits.WaitService;
import java.util.List;
import java.util.Locale;

/**
 * GC-amplified contention: a stop-the-world pause that catches a lock's holder stops it with the lock held, and
 * every thread queued on the lock waits out the whole pause too. Shown when a large share of the lock waiting in
 * the window overlapped GC pauses (measured per wait against JFR's pause events in the agent).
 */
final class GcContentionDetector implements Detector {
    /** Share of the window's lock wait time that fell inside GC pauses. */
    static final double MIN_OVERLAP_SHARE = Thresholds.number("gcContention.minOverlapShare", 0.2);
    /** Lock wait inside pauses, in ms per second of window: a few short pauses over idle locks are not a problem. */
    static final double MIN_OVERLAP_MS_PER_SEC = Thresholds.number("gcContention.minOverlapMsPerSec", 20);

    private final long windowMs;

    GcContentionDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "gc-amplified-contention";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JsonNode v = WaitService.view(jvm, windowMs, nowMs);
        JsonNode o = v.path("gcOverlap");
        if (!v.path("fullWindow").asBoolean() || o.path("overlapShare").asDouble() < MIN_OVERLAP_SHARE
                || o.path("overlapMsPerSec").asDouble() < MIN_OVERLAP_MS_PER_SEC) {
            return List.of();
        }
        JsonNode lock = o.path("byLock").path(0);
        JsonNode j = v.path("jvm");
        Evidence ev = new Evidence().link("waits", null, "Time breakdown").link("locks", null, "Locks");
        ev.node().put("lockClass", lock.path("class").asText(null)).put("overlapShare", o.path("overlapShare").asDouble())
                .put("overlapMs", o.path("overlapMs").asDouble()).put("lockWaitMs", o.path("lockWaitMs").asDouble())
                .put("gcPauses", j.path("gcPauses").asLong()).put("gcPauseMs", j.path("gcPauseMs").asDouble())
                .put("longestPauseMs", j.path("longestRecentPauseMs").asDouble()).put("windowMs", windowMs);
        String explanation = String.format(Locale.ROOT,
                "%.0f%% of the lock waiting in the last %.0f s (%.0f of %.0f ms%s) happened while the JVM was stopped "
                        + "for garbage collection: %d pauses, %.0f ms in all, the longest %.0f ms. A pause that catches "
                        + "a lock's holder stops it with the lock held, so every waiter waits out the pause as well: "
                        + "the GC turns a short critical section into a long one.",
                o.path("overlapShare").asDouble() * 100, v.path("windowSeconds").asDouble(), o.path("overlapMs").asDouble(),
                o.path("lockWaitMs").asDouble(), lock.isMissingNode() ? "" : ", mostly on " + lock.path("class").asText(),
                j.path("gcPauses").asLong(), j.path("gcPauseMs").asDouble(), j.path("longestRecentPauseMs").asDouble());
        String fix = "Cut the pauses: allocate less (reuse or update objects in place instead of replacing them, "
                + "especially inside the critical section), size the young generation for the live set, or use a "
                + "low-pause collector (G1 with a pause goal, ZGC, Shenandoah); and keep critical sections short so "
                + "fewer threads queue behind a stopped holder.";
        return List.of(new Detection("gc", Severity.WARNING, "Lock waits amplified by GC pauses", explanation, fix, ev.node()));
    }
}
