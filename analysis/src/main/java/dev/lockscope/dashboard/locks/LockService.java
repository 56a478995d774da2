package dev.lockscope.dashboard.locks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmSession;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Turns the agent's cumulative per-lock counters ({@code body.locks} of each sample) into window figures:
 * every count, total and histogram in a window is "cumulative now minus cumulative at the window's start", so
 * percentiles come from the difference of two real histograms. Stateless; safe for concurrent use.
 */
public final class LockService {
    private static final double NS_PER_MS = 1_000_000.0;

    /** The lock ranking of {@code jvm} over the last {@code windowMs}, heaviest total wait first. */
    public ObjectNode ranking(JvmSession jvm, long windowMs) {
        return ranking(jvm, windowMs, Long.MAX_VALUE);
    }

    /** The ranking over {@code windowMs} ending at {@code endMs} (a past window; {@link Long#MAX_VALUE}: now). */
    public ObjectNode ranking(JvmSession jvm, long windowMs, long endMs) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        JvmSession.Sample latest = endAt(jvm, endMs);
        out.put("windowMs", windowMs);
        ArrayNode locks = out.putArray("locks");
        if (latest == null || !latest.body().path("locks").isObject()) {
            out.putNull("coverage");
            out.putArray("signalWaits");
            out.putArray("blockedNow");
            return out;
        }
        Window w = window(jvm, latest, windowMs);
        out.put("fromTs", w.fromTs).put("toTs", latest.ts()).put("windowSeconds", w.seconds);
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode now : latest.body().at("/locks/locks")) {
            ObjectNode row = windowRow(w, now, false);
            if (row != null) {
                rows.add(row);
            }
        }
        rows.sort((a, b) -> Double.compare(b.path("totalWaitMs").asDouble(), a.path("totalWaitMs").asDouble()));
        rows.forEach(locks::add);
        out.set("coverage", coverage(latest.body().path("locks"), latest.body().path("agent")));
        out.set("signalWaits", signalWaits(w, latest.body().at("/locks/signalWaits")));
        out.set("blockedNow", latest.body().at("/locks/blockedNow"));
        return out;
    }

    /** One lock in detail: the ranking row plus its histogram buckets and its per-sample timeline. */
    public ObjectNode detail(JvmSession jvm, String lockId, long windowMs) {
        return detail(jvm, lockId, windowMs, Long.MAX_VALUE);
    }

    /** One lock over {@code windowMs} ending at {@code endMs} ({@link Long#MAX_VALUE}: now). */
    public ObjectNode detail(JvmSession jvm, String lockId, long windowMs, long endMs) {
        JvmSession.Sample latest = endAt(jvm, endMs);
        if (latest == null) {
            return null;
        }
        JsonNode now = find(latest.body(), lockId);
        if (now == null) {
            return null;
        }
        Window w = window(jvm, latest, windowMs);
        ObjectNode row = windowRow(w, now, true);
        if (row == null) {
            row = windowRow(w, now, true, true);
        }
        ArrayNode timeline = row.putArray("timeline");
        JsonNode prev = null;
        long prevTs = 0;
        for (JvmSession.Sample s : jvm.samplesSince(w.fromTs)) {
            if (s.ts() > latest.ts()) {
                break;
            }
            JsonNode l = find(s.body(), lockId);
            if (l != null && prev != null && s.ts() > prevTs) {
                double secs = (s.ts() - prevTs) / 1000.0;
                timeline.addObject().put("ts", s.ts())
                        .put("waitsPerSec", Math.max(0, l.path("waits").asLong() - prev.path("waits").asLong()) / secs)
                        .put("waitMsPerSec", Math.max(0, l.path("totalWaitNs").asLong() - prev.path("totalWaitNs").asLong())
                                / NS_PER_MS / secs)
                        .put("waitersNow", l.path("waitersNow").asInt());
            }
            if (l != null) {
                prev = l;
                prevTs = s.ts();
            }
        }
        return row;
    }

    /** The sample a window ends at: the latest one (live) or the last one at or before {@code endMs}. */
    private static JvmSession.Sample endAt(JvmSession jvm, long endMs) {
        JvmSession.Sample latest = jvm.latest();
        return latest == null || endMs >= latest.ts() ? latest : jvm.sampleAtOrBefore(endMs);
    }

    private record Window(long fromTs, double seconds, JvmSession.Sample baseline, JvmSession.Sample oldest) {}

    private static Window window(JvmSession jvm, JvmSession.Sample latest, long windowMs) {
        long from = latest.ts() - windowMs;
        JvmSession.Sample base = jvm.sampleAtOrBefore(from);
        long start = jvm.identity() == null ? 0 : jvm.identity().path("startTime").asLong();
        JvmSession.Sample covering = base != null && base.ts() <= from ? base : null;
        long effectiveFrom = covering != null ? covering.ts() : Math.max(from, start);
        double seconds = Math.max(0.001, (latest.ts() - effectiveFrom) / 1000.0);
        return new Window(Math.max(from, start), seconds, covering, base);
    }

    /**
     * The lock's value at the window's start: from the sample at or before it; zero when the lock was first
     * seen inside the window (the agent's counters start at zero); otherwise the oldest sample that has it.
     */
    private static JsonNode baselineOf(Window w, JsonNode now) {
        String id = now.path("id").asText();
        if (w.baseline != null) {
            JsonNode b = find(w.baseline.body(), id);
            if (b != null) {
                return b;
            }
        }
        if (now.path("firstSeenMs").asLong() >= w.fromTs || w.oldest == null) {
            return null;
        }
        return find(w.oldest.body(), id);
    }

    private static ObjectNode windowRow(Window w, JsonNode now, boolean withHistogram) {
        return windowRow(w, now, withHistogram, false);
    }

    private static ObjectNode windowRow(Window w, JsonNode now, boolean withHistogram, boolean evenIfIdle) {
        JsonNode base = baselineOf(w, now);
        long waits = now.path("waits").asLong() - (base == null ? 0 : base.path("waits").asLong());
        if (waits <= 0 && !evenIfIdle) {
            return null;
        }
        long totalNs = now.path("totalWaitNs").asLong() - (base == null ? 0 : base.path("totalWaitNs").asLong());
        Histogram h = decode(now.path("histMicros").asText(null));
        Histogram hb = base == null ? null : decode(base.path("histMicros").asText(null));
        if (h != null && hb != null) {
            try {
                h.subtract(hb);
            } catch (RuntimeException e) {
                h = null; // incompatible (should not happen: one agent, one configuration)
            }
        }
        long handoffs = now.path("handoffs").asLong() - (base == null ? 0 : base.path("handoffs").asLong());
        long handoffNs = now.path("handoffNs").asLong() - (base == null ? 0 : base.path("handoffNs").asLong());
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", now.path("id").asText());
        o.put("name", now.path("name").asText());
        o.put("kind", now.path("kind").asText());
        o.put("class", now.path("class").asText());
        o.set("identityHash", now.path("identityHash").isMissingNode() ? null : now.path("identityHash"));
        o.put("callSite", now.path("callSite").asText(null));
        o.put("source", now.path("source").asText());
        o.put("ownerModel", now.path("ownerModel").asText());
        o.put("waits", waits);
        o.put("waitsPerSec", round(waits / w.seconds));
        o.put("totalWaitMs", round(totalNs / NS_PER_MS));
        o.put("meanWaitMs", waits > 0 ? round(totalNs / NS_PER_MS / waits) : 0);
        o.put("p50WaitMs", percentileMs(h, 50));
        o.put("p90WaitMs", percentileMs(h, 90));
        o.put("p99WaitMs", percentileMs(h, 99));
        // The histogram's max is exact to its 2 significant digits; the exact cumulative max caps it.
        double histMax = h == null || h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
        o.put("maxWaitMs", round(Math.min(histMax, now.path("maxWaitNs").asLong() / NS_PER_MS)));
        o.put("maxWaiters", Math.max(now.path("maxWaiters").asInt() > (base == null ? 0 : base.path("maxWaiters").asInt())
                ? now.path("maxWaiters").asInt() : 0, now.path("waitersNow").asInt()));
        o.put("waitersNow", now.path("waitersNow").asInt());
        JsonNode owner = now.path("owner");
        if ("none".equals(now.path("ownerModel").asText())) {
            o.putNull("owner");
            o.put("ownerNote", "no owner: " + now.path("kind").asText() + " has no owning thread");
        } else if (owner.isObject()) {
            o.set("owner", owner);
        } else {
            o.putNull("owner");
            o.put("ownerNote", "not held by a thread others wait for right now");
        }
        o.put("holdTimeMeanMs", handoffs > 0 ? round(handoffNs / NS_PER_MS / handoffs) : null);
        o.put("holdTimeMaxMs", handoffs > 0 ? round(now.path("handoffMaxNs").asLong() / NS_PER_MS) : null);
        o.put("holdTimeSamples", handoffs);
        // Contended time: the union of wait intervals (someone waited, so someone held the lock) — a lower bound
        // of the time the lock was held; utilisation is its share of the window's wall time.
        long contendedNs = now.path("contendedNs").asLong() - (base == null ? 0 : base.path("contendedNs").asLong());
        o.put("contendedMs", round(contendedNs / NS_PER_MS));
        o.put("utilisation", round4(Math.min(1.0, contendedNs / (w.seconds * 1e9))));
        o.put("utilisationEstimator", "contended-time");
        o.put("holdTimeEstimator", "handoff");
        o.set("waiterStacks", now.path("waiterStacks").isArray() ? now.path("waiterStacks") : Json.MAPPER.createArrayNode());
        o.set("ownerStacks", now.path("ownerStacks").isArray() ? now.path("ownerStacks") : Json.MAPPER.createArrayNode());
        ObjectNode cum = o.putObject("cumulative");
        cum.put("waits", now.path("waits").asLong());
        cum.put("totalWaitMs", round(now.path("totalWaitNs").asLong() / NS_PER_MS));
        cum.put("maxWaitMs", round(now.path("maxWaitNs").asLong() / NS_PER_MS));
        cum.put("maxWaiters", now.path("maxWaiters").asInt());
        if (withHistogram) {
            ArrayNode buckets = o.putArray("histogram");
            if (h != null && h.getTotalCount() > 0) {
                // Power-of-two buckets from 1 µs: readable on a log axis, a few dozen at most.
                for (var v : h.logarithmicBucketValues(1, 2.0)) {
                    if (v.getCountAddedInThisIterationStep() > 0) {
                        buckets.addObject().put("upToMs", v.getValueIteratedTo() / 1000.0)
                                .put("count", v.getCountAddedInThisIterationStep());
                    }
                }
            }
        }
        return o;
    }

    private static ArrayNode signalWaits(Window w, JsonNode nowArray) {
        Map<String, JsonNode> base = new HashMap<>();
        if (w.baseline != null) {
            for (JsonNode s : w.baseline.body().at("/locks/signalWaits")) {
                base.put(s.path("kind").asText() + " " + s.path("class").asText(), s);
            }
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (JsonNode s : nowArray) {
            JsonNode b = base.get(s.path("kind").asText() + " " + s.path("class").asText());
            long waits = s.path("waits").asLong() - (b == null ? 0 : b.path("waits").asLong());
            if (waits <= 0) {
                continue;
            }
            out.addObject().put("kind", s.path("kind").asText()).put("class", s.path("class").asText())
                    .put("source", s.path("source").asText()).put("waits", waits)
                    .put("totalWaitMs", round((s.path("totalWaitNs").asLong() - (b == null ? 0 : b.path("totalWaitNs").asLong())) / NS_PER_MS));
        }
        return out;
    }

    private static ObjectNode coverage(JsonNode locks, JsonNode agent) {
        ObjectNode c = locks.path("coverage").deepCopy();
        c.set("instrumentation", locks.path("instrumentation"));
        c.set("jfr", locks.path("jfr"));
        c.put("locksNotSent", locks.path("locksNotSent").asLong());
        c.put("suppressedErrors", agent.path("suppressedErrors").asLong());
        c.put("droppedMessages", agent.path("droppedMessages").asLong());
        return c;
    }

    static JsonNode find(JsonNode body, String lockId) {
        for (JsonNode l : body.at("/locks/locks")) {
            if (lockId.equals(l.path("id").asText())) {
                return l;
            }
        }
        return null;
    }

    private static Histogram decode(String b64) {
        if (b64 == null || b64.isEmpty()) {
            return null;
        }
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(b64)), 0);
        } catch (Exception e) {
            return null;
        }
    }

    private static Double percentileMs(Histogram h, double p) {
        if (h == null || h.getTotalCount() == 0) {
            return null;
        }
        return round(h.getValueAtPercentile(p) / 1000.0);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
