package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.pools.PoolService;
import dev.lockscope.dashboard.waits.WaitService;
import java.util.List;
import java.util.Locale;

/**
 * Common-pool starvation: the workers of {@code ForkJoinPool.commonPool()} (sized for CPU work: cores − 1)
 * spend their time blocked (sleeping, in I/O, parked on futures or locks) instead of computing, so every other
 * user of the common pool in the JVM (parallel streams, {@code CompletableFuture.*Async} without an executor)
 * waits behind them.
 */
final class CommonPoolStarvationDetector implements Detector {
    static final String WORKERS = "ForkJoinPool.commonPool-worker-*";
    /** Share of the workers' wall time spent blocked: the common pool exists for CPU work. */
    static final double MIN_BLOCKED_SHARE = Thresholds.number("commonPool.minBlockedShare", 0.5);

    private final long windowMs;

    CommonPoolStarvationDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "common-pool-starvation";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JsonNode v = WaitService.view(jvm, windowMs, nowMs);
        if (!v.path("fullWindow").asBoolean()) {
            return List.of();
        }
        for (JsonNode g : v.path("groups")) {
            if (g.path("name").asText().equals(WORKERS) && g.path("blockedShare").asDouble() >= MIN_BLOCKED_SHARE) {
                return List.of(detection(jvm, v, g, nowMs));
            }
        }
        return List.of();
    }

    private Detection detection(JvmSession jvm, JsonNode v, JsonNode g, long nowMs) {
        JsonNode top = null;
        for (JsonNode w : v.path("waits")) {
            if (w.path("group").asText().equals(WORKERS)) {
                top = w; // ranked by total wait: the first one is the heaviest
                break;
            }
        }
        String where = top == null ? "" : Frames.appFrames(top.path("stack"), 3);
        String how = top == null ? "blocking" : top.path("waitsOn").asText();
        long queued = -1;
        String poolId = null;
        for (JsonNode p : PoolService.view(jvm, windowMs, nowMs).path("pools")) {
            if ("common pool".equals(p.path("role").asText())) {
                queued = p.path("queuedSubmissions").asLong(-1) + Math.max(0, p.path("queuedTasks").asLong(0));
                poolId = p.path("id").asText();
            }
        }
        Evidence ev = new Evidence();
        if (top != null) {
            ev.link("waits", top.path("id").asText(), "Waits of the common pool");
        }
        if (poolId != null) {
            ev.link("pools", poolId, "Common pool");
        }
        ev.node().put("group", WORKERS).put("workers", g.path("threadsNow").asInt())
                .put("blockedShare", g.path("blockedShare").asDouble()).put("blockedAt", where)
                .put("blockedIn", how).put("queued", queued).put("windowMs", windowMs);
        String explanation = String.format(Locale.ROOT,
                "The common pool's %d workers spent %.0f%% of the last %.0f s blocked rather than computing%s%s. "
                        + "ForkJoinPool.commonPool() is shared by the whole JVM (parallel streams, CompletableFuture "
                        + "async methods without an executor) and sized for CPU work (cores − 1 workers); while its "
                        + "workers block, every other user of it waits%s.",
                g.path("threadsNow").asInt(), g.path("blockedShare").asDouble() * 100, v.path("windowSeconds").asDouble(),
                where.isEmpty() ? "" : ", mostly at " + where, top == null ? "" : " (" + how + ")",
                queued > 0 ? " (" + queued + " tasks queued now)" : "");
        String fix = "Run blocking work on a dedicated executor sized for it, e.g. CompletableFuture.supplyAsync(task, "
                + "ioExecutor) with a bounded ThreadPoolExecutor (or virtual threads on JDK 21+)"
                + (where.isEmpty() ? "" : ", at " + where) + "; keep the common pool for short CPU-bound tasks.";
        return new Detection(WORKERS, Severity.WARNING, "Common pool starved by blocking work", explanation, fix, ev.node());
    }
}
