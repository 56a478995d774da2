package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.pools.PoolService;
import dev.lockscope.dashboard.waits.WaitService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Blocked event loop: a thread that must never block (an event-loop thread named as such, or the only worker
 * of a single-threaded executor) spends its time blocked, or runs long tasks: everything queued behind it waits.
 */
final class BlockedEventLoopDetector implements Detector {
    /** Names event-loop frameworks give their threads (Netty, Vert.x, Reactor Netty, hand-made loops). */
    static final Pattern LOOP_NAME = Pattern.compile("(?i).*(event[-_ ]?loop|vert\\.x-eventloop|reactor-http-nio).*");
    /** Share of the loop's wall time spent blocked: a loop should wait only for its next event. */
    static final double MIN_BLOCKED_SHARE = Thresholds.number("eventLoop.minBlockedShare", 0.3);
    /** p99 of a single-threaded executor's task run time that counts as a long task. */
    static final double LONG_TASK_MS = Thresholds.number("eventLoop.longTaskMs", 100);

    private final long windowMs;

    BlockedEventLoopDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "blocked-event-loop";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JsonNode v = WaitService.view(jvm, windowMs, nowMs);
        if (!v.path("fullWindow").asBoolean()) {
            return List.of();
        }
        Map<String, JsonNode> singleThreadPools = new HashMap<>();
        for (JsonNode p : PoolService.view(jvm, windowMs, nowMs).path("pools")) {
            String prefix = p.path("threadPrefix").asText("");
            // A ForkJoinPool of parallelism 1 (the common pool on a 2-core machine) is a work-stealing pool, not a
            // single-threaded executor; blocking there is the common-pool-starvation finding's business.
            if (p.path("max").asLong() == 1 && !prefix.isEmpty() && !p.path("jdkInternal").asBoolean()
                    && !prefix.startsWith("ForkJoinPool")) {
                singleThreadPools.put(prefix + "*", p);
            }
        }
        List<Detection> out = new ArrayList<>();
        for (JsonNode g : v.path("groups")) {
            String name = g.path("name").asText();
            JsonNode pool = singleThreadPools.get(name);
            if (pool == null && !LOOP_NAME.matcher(name).matches() || name.startsWith("lockscope-")) {
                continue;
            }
            double blocked = g.path("blockedShare").asDouble();
            double p99Run = pool == null ? 0 : pool.path("p99RunMs").asDouble();
            if (blocked >= MIN_BLOCKED_SHARE || p99Run >= LONG_TASK_MS) {
                out.add(detection(v, g, pool, blocked, p99Run));
            }
        }
        return out;
    }

    private Detection detection(JsonNode v, JsonNode g, JsonNode pool, double blocked, double p99Run) {
        String name = g.path("name").asText();
        JsonNode top = null;
        for (JsonNode w : v.path("waits")) {
            if (w.path("group").asText().equals(name)) {
                top = w;
                break;
            }
        }
        String where = top == null ? "" : Frames.appFrames(top.path("stack"), 2);
        Evidence ev = new Evidence();
        if (top != null) {
            ev.link("waits", top.path("id").asText(), "Where the loop waits");
        }
        if (pool != null) {
            ev.link("pools", pool.path("id").asText(), "Executor " + pool.path("name").asText());
        }
        ev.node().put("thread", name).put("blockedShare", blocked).put("blockedAt", where)
                .put("blockedIn", top == null ? null : top.path("waitsOn").asText())
                .put("why", pool != null ? "single-threaded executor" : "event-loop thread name")
                .put("p99TaskMs", p99Run).put("queueDepth", pool == null ? 0 : pool.path("queueDepth").asLong())
                .put("windowMs", windowMs);
        String what = pool != null ? "the only worker of a single-threaded executor" : "an event-loop thread";
        String explanation = blocked >= MIN_BLOCKED_SHARE
                ? String.format(Locale.ROOT, "%s is %s, which must never block, yet it spent %.0f%% of the last %.0f s "
                        + "blocked%s%s. Every event queued behind it waits that long too, so latency grows for all "
                        + "of them at once.", name, what, blocked * 100, v.path("windowSeconds").asDouble(),
                        where.isEmpty() ? "" : " at " + where,
                        top == null ? "" : " (" + top.path("waitsOn").asText() + ")")
                : String.format(Locale.ROOT, "%s is %s and runs long tasks (p99 %.0f ms): every event queued behind one "
                        + "waits for it.", name, what, p99Run);
        String fix = "Keep the loop's thread for short non-blocking steps: move the blocking call"
                + (where.isEmpty() ? "" : " (" + where + ")")
                + " to a worker pool and continue on the loop when its result arrives (thenAcceptAsync(…, loop)), "
                + "use a non-blocking client, or split long tasks into short ones.";
        return new Detection(name, Severity.WARNING, "Blocked event loop: " + name, explanation, fix, ev.node());
    }
}
