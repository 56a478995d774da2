package dev.lockscope.dashboard.waits;

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
 * Turns the agent's cumulative {@code body.waits} into one window's figures: each group's wall time by state
 * (running, I/O, monitor, lock, parked, sleeping, idle) and CPU time, the wait sites that are not locks ranked
 * by total wait, the time the JVM stopped everyone, and the lock waiting that overlapped GC pauses. Every figure
 * is "cumulative at the window's end minus at its start"; per-second maxima (waiters, holders) are the maximum
 * over the window's samples. Stateless.
 */
public final class WaitService {
    static final String[] STATES = {"cpu", "io", "monitor", "lock", "parked", "sleep", "idle"};
    /** States in which a thread is held up by something rather than working or waiting for work. */
    static final String[] BLOCKED = {"io", "monitor", "lock", "parked", "sleep"};
    private static final double NS_PER_MS = 1_000_000.0;

    private WaitService() {}

    /** The window of {@code windowMs} ending at the newest sample at or before {@code nowMs}. */
    public static ObjectNode view(JvmSession jvm, long windowMs, long nowMs) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("windowMs", windowMs);
        JvmSession.Sample latest = jvm.sampleAtOrBefore(nowMs);
        if (latest == null || !latest.body().path("waits").isObject()) {
            return out.put("available", false);
        }
        JvmSession.Sample base = jvm.sampleAtOrBefore(latest.ts() - windowMs);
        boolean full = base != null && base.ts() <= latest.ts() - windowMs && base.body().path("waits").isObject();
        JsonNode now = latest.body().path("waits");
        JsonNode then = full ? base.body().path("waits") : Json.MAPPER.createObjectNode();
        long fromTs = full ? base.ts() : firstWithWaits(jvm, latest.ts() - windowMs, latest);
        double seconds = Math.max(0.001, (latest.ts() - fromTs) / 1000.0);
        out.put("available", true).put("fullWindow", full).put("fromTs", fromTs).put("toTs", latest.ts())
                .put("windowSeconds", seconds);
        List<JvmSession.Sample> inWindow = jvm.samplesSince(fromTs);
        out.set("coverage", coverage(now, then, seconds));
        // Sampled time, not the window's length, is what the states add up to (a starved sampler credits less).
        double sampledSeconds = Math.max(0.001, delta(now, then, "sampledNs") / NS_PER_MS / 1000);
        out.set("groups", groups(now, then, sampledSeconds));
        // Parks are counted since the JFR stream started, which may be inside the window.
        double parkSeconds = (latest.ts() - Math.max(fromTs, now.path("parksSinceMs").asLong())) / 1000.0;
        out.set("waits", sites(now, then, sampledSeconds, parkSeconds, inWindow));
        out.set("jvm", stopped(now, then, seconds, fromTs));
        out.set("gcOverlap", gcOverlap(now, then, seconds));
        return out;
    }

    private static long firstWithWaits(JvmSession jvm, long from, JvmSession.Sample latest) {
        for (JvmSession.Sample s : jvm.samplesSince(from)) {
            if (s.body().path("waits").isObject()) {
                return s.ts();
            }
        }
        return latest.ts();
    }

    private static long delta(JsonNode now, JsonNode then, String field) {
        return Math.max(0, now.path(field).asLong() - (then == null ? 0 : then.path(field).asLong()));
    }

    private static double ms(long ns) {
        return Math.round(ns / NS_PER_MS * 10) / 10.0;
    }

    private static ObjectNode coverage(JsonNode now, JsonNode then, double seconds) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        long looks = delta(now, then, "looks");
        c.put("intervalMs", now.path("intervalMs").asLong()).put("looks", looks)
                .put("looksPerSec", looks / seconds)
                .put("samplerCpuMsPerSec", ms(delta(now, then, "sampleCpuNs")) / seconds)
                .put("samplerWallMsPerLook", looks == 0 ? 0 : ms(delta(now, then, "sampleWallNs")) / looks)
                .put("omittedSites", now.path("omittedSites").asLong())
                .put("jfr", now.at("/jvm/running").asBoolean()).put("jfrError", now.at("/jvm/error").asText(null));
        return c;
    }

    private static Map<String, JsonNode> byKey(JsonNode array, String key) {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode n : array) {
            m.put(n.path(key).asText(), n);
        }
        return m;
    }

    private static ArrayNode groups(JsonNode now, JsonNode then, double seconds) {
        Map<String, JsonNode> before = byKey(then.path("groups"), "name");
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode g : now.path("groups")) {
            JsonNode b = before.get(g.path("name").asText());
            ObjectNode row = Json.MAPPER.createObjectNode().put("name", g.path("name").asText())
                    .put("threadsNow", g.path("threadsNow").asInt());
            ObjectNode states = row.putObject("ms");
            long wall = 0;
            for (String s : STATES) {
                long d = delta(g, b, s + "Ns");
                wall += d;
                states.put(s, ms(d));
            }
            long blocked = 0;
            for (String s : BLOCKED) {
                blocked += delta(g, b, s + "Ns");
            }
            if (wall == 0) {
                continue; // no thread of this group alive in the window
            }
            row.put("wallMs", ms(wall)).put("cpuTimeMs", ms(delta(g, b, "cpuNs")))
                    .put("threadsMean", wall / NS_PER_MS / 1000 / seconds)
                    .put("blockedShare", (double) blocked / wall)
                    .put("idleShare", delta(g, b, "idleNs") / (double) wall);
            rows.add(row);
        }
        // Groups that were held up the most first; groups that only waited for work last.
        rows.sort((x, y) -> Double.compare(busy(y), busy(x)));
        ArrayNode a = Json.MAPPER.createArrayNode();
        rows.forEach(a::add);
        return a;
    }

    private static double busy(ObjectNode row) {
        return row.path("wallMs").asDouble() - row.at("/ms/idle").asDouble();
    }

    private static ArrayNode sites(JsonNode now, JsonNode then, double seconds, double parkSeconds,
            List<JvmSession.Sample> inWindow) {
        Map<String, JsonNode> before = byKey(then.path("sites"), "id");
        Map<String, JsonNode> parksNow = byKey(now.path("parks"), "class");
        Map<String, JsonNode> parksThen = byKey(then.path("parks"), "class");
        Map<String, int[]> maxima = new HashMap<>(); // id -> {waitersMax, holdersMax}
        for (JvmSession.Sample s : inWindow) {
            for (JsonNode site : s.body().at("/waits/sites")) {
                int[] m = maxima.computeIfAbsent(site.path("id").asText(), k -> new int[2]);
                m[0] = Math.max(m[0], site.path("waitersMax").asInt());
                m[1] = Math.max(m[1], site.path("holdersMax").asInt());
            }
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode s : now.path("sites")) {
            String id = s.path("id").asText();
            JsonNode b = before.get(id);
            long ns = delta(s, b, "ns");
            if (ns == 0) {
                continue;
            }
            long ticks = delta(s, b, "contendedTicks");
            int[] m = maxima.getOrDefault(id, new int[2]);
            ObjectNode row = Json.MAPPER.createObjectNode().put("id", id).put("group", s.path("group").asText())
                    .put("state", s.path("state").asText()).put("site", s.path("site").asText())
                    .put("waitsOn", s.path("waitsOn").asText(null)).put("blocker", s.path("blocker").asText(null))
                    .put("totalWaitMs", ms(ns)).put("threadsWaitingMean", ns / NS_PER_MS / 1000 / seconds)
                    .put("waitersNow", s.path("waitersNow").asInt()).put("waitersMax", m[0])
                    .put("holdersMax", m[1])
                    .put("holdersMean", ticks == 0 ? 0 : (double) delta(s, b, "holderSum") / ticks)
                    .put("contendedLooks", ticks)
                    .put("ownerNow", s.path("ownerNow").asText(null));
            // Measured by JFR, not sampled: how often, and how long, threads parked on this kind of blocker.
            JsonNode parks = parksNow.get(s.path("blocker").asText(""));
            if (parks != null && parkSeconds >= 1) {
                JsonNode pb = parksThen.get(s.path("blocker").asText(""));
                long count = delta(parks, pb, "parks");
                row.put("parksPerSecond", count / parkSeconds)
                        .put("parkMeanMs", count == 0 ? 0 : delta(parks, pb, "parkNs") / NS_PER_MS / count);
            }
            row.set("heldBy", s.path("heldBy"));
            row.set("stack", s.path("stack"));
            rows.add(row);
        }
        rows.sort((x, y) -> Double.compare(y.path("totalWaitMs").asDouble(), x.path("totalWaitMs").asDouble()));
        ArrayNode a = Json.MAPPER.createArrayNode();
        rows.forEach(a::add);
        return a;
    }

    private static ObjectNode stopped(JsonNode now, JsonNode then, double seconds, long fromTs) {
        JsonNode n = now.path("jvm");
        JsonNode b = then.path("jvm");
        long gcNs = delta(n, b, "gcPauseNs");
        long ttsNs = delta(n, b, "timeToSafepointNs");
        ObjectNode o = Json.MAPPER.createObjectNode()
                .put("gcPauses", delta(n, b, "gcPauses")).put("gcPauseMs", ms(gcNs))
                .put("safepoints", delta(n, b, "safepoints")).put("timeToSafepointMs", ms(ttsNs))
                .put("stoppedMs", ms(gcNs + ttsNs)).put("stoppedShare", (gcNs + ttsNs) / NS_PER_MS / 1000 / seconds);
        ArrayNode pauses = o.putArray("recentPauses");
        long longest = 0;
        for (JsonNode p : n.path("recentPauses")) {
            if (p.path("startMs").asLong() >= fromTs) {
                pauses.addObject().put("startMs", p.path("startMs").asLong()).put("ms", ms(p.path("ns").asLong()));
                longest = Math.max(longest, p.path("ns").asLong());
            }
        }
        o.put("longestRecentPauseMs", ms(longest));
        return o;
    }

    private static ObjectNode gcOverlap(JsonNode now, JsonNode then, double seconds) {
        JsonNode n = now.path("gcOverlap");
        JsonNode b = then.path("gcOverlap");
        long wait = delta(n, b, "lockWaitNs");
        long overlap = delta(n, b, "overlapNs");
        ObjectNode o = Json.MAPPER.createObjectNode().put("thresholdMs", n.path("thresholdMs").asLong())
                .put("lockWaits", delta(n, b, "lockWaits")).put("lockWaitMs", ms(wait))
                .put("overlappedWaits", delta(n, b, "overlappedWaits")).put("overlapMs", ms(overlap))
                .put("overlapShare", wait == 0 ? 0 : (double) overlap / wait)
                .put("overlapMsPerSec", overlap / NS_PER_MS / seconds);
        Map<String, JsonNode> before = byKey(b.path("byLock"), "class");
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode l : n.path("byLock")) {
            JsonNode lb = before.get(l.path("class").asText());
            long lw = delta(l, lb, "waitNs");
            if (lw == 0) {
                continue;
            }
            rows.add(Json.MAPPER.createObjectNode().put("class", l.path("class").asText())
                    .put("waits", delta(l, lb, "waits")).put("waitMs", ms(lw)).put("overlapMs", ms(delta(l, lb, "overlapNs"))));
        }
        rows.sort((x, y) -> Double.compare(y.path("overlapMs").asDouble(), x.path("overlapMs").asDouble()));
        rows.forEach(o.putArray("byLock")::add);
        return o;
    }
}
