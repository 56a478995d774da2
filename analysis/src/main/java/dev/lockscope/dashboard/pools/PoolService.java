package dev.lockscope.dashboard.pools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a JVM's sample history ({@code body.pools}, cumulative) into the Pools view: per pool the latest
 * figures, rates and histogram percentiles over the window, a saturation verdict with its reason, and the
 * series the charts draw. Stateless: everything is computed from the samples given.
 */
public final class PoolService {
    /** Saturation is judged on the most recent part of the window: "now", not "at some point". */
    static final long STATE_MS = 10_000;

    private PoolService() {}

    /** The view of a past window (brushed on a chart): {@code windowMs} ending at the last sample at or before {@code endMs}. */
    public static ObjectNode viewEndingAt(JvmSession s, long windowMs, long endMs) {
        JvmSession.Sample latest = s.latest();
        if (latest != null && endMs < latest.ts()) {
            latest = s.sampleAtOrBefore(endMs);
        }
        long end = latest == null ? endMs : latest.ts();
        List<JvmSession.Sample> samples = s.samplesSince(end - windowMs);
        samples.removeIf(x -> x.ts() > end);
        JvmSession.Sample base = s.sampleAtOrBefore(end - windowMs);
        JvmSession.Sample stateBase = s.sampleAtOrBefore(end - Math.min(windowMs, STATE_MS));
        return view(samples, latest, base, stateBase, windowMs);
    }

    public static ObjectNode view(JvmSession s, long windowMs, long nowMs) {
        List<JvmSession.Sample> samples = s.samplesSince(nowMs - windowMs);
        JvmSession.Sample latest = s.latest();
        JvmSession.Sample base = s.sampleAtOrBefore((latest == null ? nowMs : latest.ts()) - windowMs);
        JvmSession.Sample stateBase = s.sampleAtOrBefore((latest == null ? nowMs : latest.ts()) - Math.min(windowMs, STATE_MS));
        return view(samples, latest, base, stateBase, windowMs);
    }

    static ObjectNode view(List<JvmSession.Sample> samples, JvmSession.Sample latest, JvmSession.Sample base,
            JvmSession.Sample stateBase, long windowMs) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("windowMs", windowMs);
        ArrayNode pools = out.putArray("pools");
        if (latest == null || !latest.body().path("pools").isObject()) {
            out.put("available", false);
            return out;
        }
        JsonNode section = latest.body().path("pools");
        out.put("available", true);
        out.put("ts", latest.ts());
        out.put("instrumented", section.path("instrumented").asBoolean());
        out.put("instrumentationErrors", section.path("instrumentationErrors").asInt());
        Map<String, JsonNode> then = byId(base);
        Map<String, JsonNode> stateThen = byId(stateBase);
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode p : section.path("pools")) {
            String id = p.path("id").asText();
            JsonNode b = then.get(id);
            double seconds = Math.max(1, (latest.ts() - (b == null || base == null ? firstSeen(samples, id, latest) : base.ts())) / 1000.0);
            rows.add(row(p, b, seconds, stateThen.get(id), stateBase == null ? 0 : latest.ts() - stateBase.ts(),
                    samples));
        }
        rows.sort((a, b) -> Double.compare(b.path("saturation").asDouble(), a.path("saturation").asDouble()));
        rows.forEach(pools::add);
        return out;
    }

    private static long firstSeen(List<JvmSession.Sample> samples, String id, JvmSession.Sample latest) {
        for (JvmSession.Sample s : samples) {
            if (byId(s).containsKey(id)) {
                return s.ts();
            }
        }
        return latest.ts();
    }

    private static Map<String, JsonNode> byId(JvmSession.Sample s) {
        Map<String, JsonNode> m = new HashMap<>();
        if (s != null) {
            for (JsonNode p : s.body().path("pools").path("pools")) {
                m.put(p.path("id").asText(), p);
            }
        }
        return m;
    }

    private static final String[] COPIED = {"id", "name", "kind", "className", "threadPrefix", "callSite", "submitSite",
        "jdkInternal", "role", "core", "max", "size", "active", "largest", "parallelism", "running",
        "queuedSubmissions", "queuedTasks", "steals", "queueType", "queueDepth", "queueRemaining", "policy",
        "scheduled", "shutdown", "submitted", "completed", "rejected", "rejectedBy", "oldestQueuedAgeMs"};

    static ObjectNode row(JsonNode p, JsonNode b, double seconds, JsonNode stateThen, long stateMs,
            List<JvmSession.Sample> samples) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (String f : COPIED) {
            if (p.has(f)) {
                o.set(f, p.get(f));
            }
        }
        o.put("windowSeconds", seconds);
        o.put("submittedPerSec", rate(p, b, "submitted", seconds));
        o.put("completedPerSec", rate(p, b, "completed", seconds));
        o.put("rejectedPerSec", rate(p, b, "rejected", seconds));
        o.put("callerRunsPerSec", rate(p.path("rejectedBy"), b == null ? null : b.path("rejectedBy"), "callerRuns", seconds));
        long discarded = p.at("/rejectedBy/discard").asLong() + p.at("/rejectedBy/discardOldest").asLong()
                - (b == null ? 0 : b.at("/rejectedBy/discard").asLong() + b.at("/rejectedBy/discardOldest").asLong());
        o.put("discardedPerSec", Math.max(0, discarded) / seconds);
        o.put("stealsPerSec", rate(p, b, "steals", seconds));
        put(o, "Wait", Histograms.summary(p.path("wait"), b == null ? null : b.path("wait")));
        put(o, "Run", Histograms.summary(p.path("run"), b == null ? null : b.path("run")));
        put(o, "Lateness", Histograms.summary(p.path("lateness"), b == null ? null : b.path("lateness")));
        saturation(o, p, stateThen, stateMs);
        o.set("series", series(p.path("id").asText(), samples));
        return o;
    }

    private static void put(ObjectNode o, String what, Histograms.Summary s) {
        o.put("samples" + what, s.count());
        o.put("mean" + what + "Ms", round(s.meanMs()));
        o.put("p50" + what + "Ms", round(s.p50Ms()));
        o.put("p99" + what + "Ms", round(s.p99Ms()));
        o.put("max" + what + "Ms", round(s.maxMs()));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static double rate(JsonNode now, JsonNode then, String field, double seconds) {
        if (!now.has(field)) {
            return 0;
        }
        long d = now.path(field).asLong() - (then == null ? 0 : then.path(field).asLong());
        return round(Math.max(0, d) / seconds);
    }

    /**
     * Saturated: rejecting, or every worker busy while the queue is full, growing or not draining. Judged over the last
     * {@link #STATE_MS}; {@code saturation} ranks pools (fullness of workers and queue, rejections).
     */
    static void saturation(ObjectNode o, JsonNode p, JsonNode then, long stateMs) {
        long max = p.has("max") ? p.path("max").asLong() : -1;
        long active = p.path("active").asLong();
        long depth = p.path("queueDepth").asLong();
        long remaining = p.has("queueRemaining") ? p.path("queueRemaining").asLong() : -1;
        long depthThen = then == null ? 0 : then.path("queueDepth").asLong();
        long rejectedRecent = p.path("rejected").asLong() - (then == null ? 0 : then.path("rejected").asLong());
        boolean busy = max > 0 && active >= max;
        boolean full = remaining == 0 && depth > 0;
        boolean growing = depth > 0 && depth > depthThen;
        // A queue that stays put behind busy workers is as saturated as a growing one (slow requests all stuck).
        boolean notDraining = depth > 0 && depth >= depthThen && then != null;
        boolean rejecting = rejectedRecent > 0;
        List<String> reasons = new ArrayList<>();
        if (rejecting) {
            String policy = p.path("policy").asText("");
            reasons.add(rejectedRecent + " rejected in the last " + Math.max(1, stateMs / 1000) + " s"
                    + (policy.isEmpty() ? "" : " (" + policy + ")"));
        }
        if (busy && full) {
            reasons.add("all " + max + " workers busy and the queue is full (" + depth + ")");
        } else if (busy && growing) {
            reasons.add("all " + max + " workers busy and the queue is growing (" + depthThen + " → " + depth + ")");
        } else if (busy && notDraining) {
            reasons.add("all " + max + " workers busy and the queue is not draining (" + depthThen + " → " + depth + ")");
        }
        boolean saturated = !reasons.isEmpty();
        o.put("busy", busy).put("queueFull", full).put("queueGrowing", growing).put("rejecting", rejecting);
        o.put("saturated", saturated);
        o.put("reason", saturated ? String.join("; ", reasons) : null);
        double score = (max > 0 ? Math.min(1.0, (double) active / max) : 0) * 50
                + Math.min(20, Math.log10(1 + depth) * 5) + (saturated ? 100 : 0) + (rejecting ? 20 : 0);
        o.put("saturation", round(score));
    }

    /** Per-sample figures for the charts: active, max, queue depth, wait p99 and rejections per second. */
    static ObjectNode series(String id, List<JvmSession.Sample> samples) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        ArrayNode ts = s.putArray("ts");
        ArrayNode active = s.putArray("active");
        ArrayNode max = s.putArray("max");
        ArrayNode depth = s.putArray("queueDepth");
        ArrayNode p99 = s.putArray("p99WaitMs");
        ArrayNode rej = s.putArray("rejectedPerSec");
        JsonNode prev = null;
        long prevTs = 0;
        for (JvmSession.Sample sample : samples) {
            JsonNode p = byId(sample).get(id);
            if (p == null) {
                continue;
            }
            ts.add(sample.ts());
            active.add(p.path("active").asLong());
            max.add(p.path("max").asLong());
            depth.add(p.path("queueDepth").asLong());
            if (prev == null) {
                p99.addNull();
                rej.addNull();
            } else {
                double secs = Math.max(0.001, (sample.ts() - prevTs) / 1000.0);
                Histograms.Summary w = Histograms.summary(p.path("wait"), prev.path("wait"));
                if (w.count() > 0) {
                    p99.add(round(w.p99Ms()));
                } else {
                    p99.addNull();
                }
                rej.add(round(Math.max(0, p.path("rejected").asLong() - prev.path("rejected").asLong()) / secs));
            }
            prev = p;
            prevTs = sample.ts();
        }
        return s;
    }
}
