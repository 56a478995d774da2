package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.pools.PoolService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Saturated pool: work arrives faster than the pool completes it and the pool copes badly — its queue keeps
 * growing with every worker busy, or it throws work away (abort / discard policies). A bounded queue whose
 * overflow runs on the caller (backpressure) is the designed response to overload, not a finding.
 */
final class SaturatedPoolDetector implements Detector {
    /** Queue growth worth reporting: at least this many more queued tasks over the window... */
    static final long MIN_GROWTH_TASKS = Thresholds.whole("saturatedPool.minGrowthTasks", 10);
    /** ...and arrivals at least this much faster than completions (5% absorbs sampling jitter). */
    static final double ARRIVAL_OVER_DRAIN = Thresholds.number("saturatedPool.arrivalOverDrain", 1.05);

    private final long windowMs;

    SaturatedPoolDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "saturated-pool";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        ObjectNode view = PoolService.view(jvm, windowMs, nowMs);
        JvmSession.Sample base = jvm.sampleAtOrBefore(nowMs - windowMs);
        JvmSession.Sample middle = jvm.sampleAtOrBefore(nowMs - windowMs / 2);
        List<Detection> out = new ArrayList<>();
        for (JsonNode p : view.path("pools")) {
            if (p.path("jdkInternal").asBoolean() || p.path("shutdown").asBoolean()) {
                continue;
            }
            long depthNow = p.path("queueDepth").asLong();
            long depthThen = depthAt(base, p.path("id").asText());
            long depthMiddle = depthAt(middle, p.path("id").asText());
            double arrival = p.path("submittedPerSec").asDouble();
            double drain = p.path("completedPerSec").asDouble();
            double lost = p.path("rejectedPerSec").asDouble() - p.path("callerRunsPerSec").asDouble();
            // Growing through the whole window (both halves), not one burst that the pool is already draining.
            boolean growing = p.path("busy").asBoolean() && depthNow - depthThen >= MIN_GROWTH_TASKS
                    && depthThen < depthMiddle && depthMiddle < depthNow && arrival > drain * ARRIVAL_OVER_DRAIN;
            boolean losing = lost > 0;
            if (!growing && !losing) {
                continue;
            }
            out.add(detection(p, depthThen, depthNow, arrival, drain, lost, growing));
        }
        return out;
    }

    private Detection detection(JsonNode p, long depthThen, long depthNow, double arrival, double drain, double lost,
            boolean growing) {
        String name = p.path("name").asText(p.path("id").asText());
        long max = p.path("max").asLong();
        double seconds = windowMs / 1000.0;
        double growth = (depthNow - depthThen) / seconds;
        double meanRunMs = p.path("meanRunMs").asDouble();
        double busyNeeded = arrival * meanRunMs / 1000.0; // Little's law: L = λ × W
        String createdAt = p.path("callSite").asText("");
        Evidence ev = new Evidence().link("pools", p.path("id").asText(), "Pool " + name);
        ev.node().put("pool", name).put("poolId", p.path("id").asText()).put("callSite", createdAt)
                .put("maxThreads", max).put("active", p.path("active").asLong())
                .put("queueDepthStart", depthThen).put("queueDepth", depthNow)
                .put("queueGrowthPerSec", round(growth)).put("arrivalPerSec", round(arrival)).put("drainPerSec", round(drain))
                .put("lostPerSec", round(lost)).put("p99WaitMs", p.path("p99WaitMs").asDouble())
                .put("meanRunMs", meanRunMs).put("workersNeeded", round(busyNeeded)).put("windowMs", windowMs);
        String what = growing
                ? String.format(Locale.ROOT, "all %d workers of pool %s are busy and its queue grew from %d to %d tasks in "
                        + "%.0f s (+%.1f/s): tasks arrive at %.1f/s but complete at %.1f/s. Task wait p99 is %.0f ms and "
                        + "rising with the queue.", max, name, depthThen, depthNow, seconds, growth, arrival, drain,
                        p.path("p99WaitMs").asDouble())
                : String.format(Locale.ROOT, "pool %s is rejecting work: %.1f tasks/s are refused or discarded "
                        + "(policy %s) while all %d workers are busy.", name, lost, p.path("policy").asText("?"), max);
        String explanation = "Saturated pool: " + what + " By Little's law the pool needs on average "
                + String.format(Locale.ROOT, "%.1f", busyNeeded) + " busy workers (arrival rate × mean run time "
                + String.format(Locale.ROOT, "%.1f ms", meanRunMs) + ") and has " + max + "; any surplus of arrivals "
                + "over completions piles up in the queue" + (growing ? " without bound, so latency grows until memory runs out." : ".")
                + (createdAt.isEmpty() ? "" : " The pool was created at " + createdAt + ".");
        String fix = "Give pool " + name + " a bounded queue with backpressure (for example an ArrayBlockingQueue "
                + "and CallerRunsPolicy, or a semaphore around submit) so producers slow to the pool's pace, or shed "
                + "load explicitly; if the load is legitimate, size it from the measurements: at least "
                + (long) Math.ceil(busyNeeded * 1.2) + " workers (arrival × run time plus 20% headroom), or make the "
                + "tasks shorter.";
        return new Detection(p.path("id").asText(), growing ? Severity.WARNING : Severity.CRITICAL,
                "Saturated pool " + name, explanation, fix, ev.node());
    }

    private static long depthAt(JvmSession.Sample s, String id) {
        if (s == null) {
            return 0;
        }
        for (JsonNode p : s.body().path("pools").path("pools")) {
            if (p.path("id").asText().equals(id)) {
                return p.path("queueDepth").asLong();
            }
        }
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
