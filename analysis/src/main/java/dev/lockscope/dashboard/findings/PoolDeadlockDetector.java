package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.pools.PoolService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pool-induced deadlock: every worker of a pool waits for the result of a task queued behind it in the same
 * pool, so nothing completes. There is no lock cycle, so the JVM's own deadlock detection sees nothing. A pool
 * that stalls (all workers busy, queue non-empty, no completion in the window) triggers one thread dump, whose
 * worker stacks decide.
 */
final class PoolDeadlockDetector implements Detector {
    static final Duration DUMP_TIMEOUT = Duration.ofSeconds(30);
    /** Frames of a thread blocked on another task's result. */
    static final List<String> TASK_WAITS = List.of("java.util.concurrent.FutureTask.get",
            "java.util.concurrent.FutureTask.awaitDone", "java.util.concurrent.CompletableFuture.get",
            "java.util.concurrent.CompletableFuture.join", "java.util.concurrent.ForkJoinTask.get",
            "java.util.concurrent.ForkJoinTask.join", "java.util.concurrent.CompletableFuture.waitingGet");

    private final long windowMs;
    /** One dump per stalled pool (jvm|pool), taken when the stall is first seen and dropped when it clears. */
    private final Map<String, CompletableFuture<JsonNode>> dumps = new ConcurrentHashMap<>();

    PoolDeadlockDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "pool-deadlock";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JvmSession.Sample base = jvm.sampleAtOrBefore(nowMs - windowMs);
        if (base == null || base.ts() > nowMs - windowMs) {
            return List.of(); // not a full window of history yet: "no completion" would mean nothing
        }
        List<Detection> out = new ArrayList<>();
        for (JsonNode p : PoolService.view(jvm, windowMs, nowMs).path("pools")) {
            String key = jvm.id() + "|" + p.path("id").asText();
            long max = p.path("max").asLong();
            boolean stalled = !p.path("jdkInternal").asBoolean() && max > 0 && p.path("active").asLong() >= max
                    && p.path("queueDepth").asLong() > 0 && p.path("completedPerSec").asDouble() == 0;
            if (!stalled) {
                dumps.remove(key);
                continue;
            }
            CompletableFuture<JsonNode> dump = dumps.computeIfAbsent(key,
                    k -> jvm.request("threaddump", Map.of("format", "json"), DUMP_TIMEOUT));
            if (!dump.isDone()) {
                continue;
            }
            if (dump.isCompletedExceptionally()) {
                dumps.remove(key); // try again next time
                continue;
            }
            Detection d = judge(p, dump.join());
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }

    private Detection judge(JsonNode pool, JsonNode dump) {
        String prefix = pool.path("threadPrefix").asText("");
        if (prefix.isEmpty()) {
            return null;
        }
        List<JsonNode> workers = new ArrayList<>();
        List<JsonNode> waiting = new ArrayList<>();
        for (JsonNode t : dump.path("threads")) {
            if (!t.path("name").asText().startsWith(prefix)) {
                continue;
            }
            workers.add(t);
            for (JsonNode f : t.path("frames")) {
                String frame = Frames.withoutModule(f.asText());
                if (TASK_WAITS.stream().anyMatch(w -> frame.startsWith(w + "("))) {
                    waiting.add(t);
                    break;
                }
            }
        }
        if (workers.isEmpty() || waiting.size() < workers.size()) {
            return null; // some worker does something else: a slow pool, not a pool waiting on itself
        }
        String name = pool.path("name").asText(prefix);
        String site = Frames.appFrames(waiting.get(0).path("frames"), 2);
        Evidence ev = new Evidence().link("pools", pool.path("id").asText(), "Pool " + name).link("threads", null, "Thread dump");
        ev.node().put("pool", name).put("poolId", pool.path("id").asText()).put("workers", workers.size())
                .put("workersWaitingOnTasks", waiting.size()).put("queueDepth", pool.path("queueDepth").asLong())
                .put("waitingAt", site).put("windowMs", windowMs);
        ArrayNode names = ev.node().putArray("threads");
        waiting.forEach(t -> names.add(t.path("name").asText()));
        String explanation = String.format(Locale.ROOT,
                "Pool-induced deadlock in pool %s: all %d workers are blocked waiting for the results of other tasks%s, "
                        + "and those tasks sit in the same pool's queue (%d queued) behind them, so none can ever run: "
                        + "no task has completed in the last %d s. There is no lock cycle, so the JVM's deadlock "
                        + "detection (findDeadlockedThreads) does not see it.",
                name, workers.size(), site.isEmpty() ? "" : " at " + site, pool.path("queueDepth").asLong(), windowMs / 1000);
        String fix = "Never block a pool's worker on work submitted to the same pool" + (site.isEmpty() ? "" : " (" + site + ")")
                + ": run the subtasks on a separate executor, or compose results without blocking "
                + "(CompletableFuture.thenCombine/allOf instead of get()), or use a ForkJoinPool with fork/join, "
                + "whose join runs queued subtasks itself. A bigger pool only moves the threshold.";
        return new Detection(pool.path("id").asText(), Severity.CRITICAL, "Pool-induced deadlock in " + name,
                explanation, fix, ev.node());
    }
}
