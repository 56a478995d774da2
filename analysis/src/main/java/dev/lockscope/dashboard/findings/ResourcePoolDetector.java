package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.waits.WaitService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Resource-pool exhaustion: many threads parked in the same acquisition frame of a pool (a semaphore, a blocking
 * queue or a monitor wait inside a library's pool) while a steady number of holders, running code of the pool's
 * package (its connections, its statements), keep every resource busy. That number is the pool's apparent size.
 */
final class ResourcePoolDetector implements Detector {
    /** Mean threads waiting at the site over the window: one thread waiting now and then is normal queueing. */
    static final double MIN_MEAN_WAITERS = Thresholds.number("resourcePool.minMeanWaiters", 2.0);
    /** Holders busy on average, as a share of the apparent size: the pool really is used up, not idle-but-slow. */
    static final double MIN_BUSY_SHARE = Thresholds.number("resourcePool.minBusyShare", 0.75);
    /** JDK calls through which pools hand out resources (HikariCP, commons-pool, c3p0, DBCP and hand-made ones). */
    static final List<String> ACQUIRE = List.of("java.util.concurrent.Semaphore.acquire",
            "java.util.concurrent.Semaphore.tryAcquire", "java.util.concurrent.SynchronousQueue.poll",
            "java.util.concurrent.LinkedBlockingQueue.take", "java.util.concurrent.LinkedBlockingQueue.poll",
            "java.util.concurrent.ArrayBlockingQueue.take", "java.util.concurrent.ArrayBlockingQueue.poll",
            "java.util.concurrent.LinkedBlockingDeque.takeFirst", "java.util.concurrent.LinkedBlockingDeque.pollFirst",
            "java.util.concurrent.LinkedBlockingDeque.take", "java.util.concurrent.LinkedBlockingDeque.poll",
            "java.lang.Object.wait", "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.awaitNanos");

    private final long windowMs;

    ResourcePoolDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "resource-pool-exhaustion";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JsonNode v = WaitService.view(jvm, windowMs, nowMs);
        if (!v.path("fullWindow").asBoolean()) {
            return List.of();
        }
        List<Detection> out = new ArrayList<>();
        for (JsonNode w : v.path("waits")) {
            int size = w.path("holdersMax").asInt();
            double waiting = w.path("threadsWaitingMean").asDouble();
            double holders = w.path("holdersMean").asDouble();
            if (!w.path("state").asText().equals("parked") || !ACQUIRE.contains(w.path("waitsOn").asText())
                    || waiting < MIN_MEAN_WAITERS || size == 0 || holders < MIN_BUSY_SHARE * size) {
                continue;
            }
            out.add(detection(w, size, waiting, holders, threadsOf(v, w.path("group").asText()),
                    v.path("windowSeconds").asDouble()));
        }
        return out;
    }

    private static int threadsOf(JsonNode view, String group) {
        for (JsonNode g : view.path("groups")) {
            if (g.path("name").asText().equals(group)) {
                return g.path("threadsNow").asInt();
            }
        }
        return 0;
    }

    private Detection detection(JsonNode w, int size, double waiting, double holders, int threads, double seconds) {
        Sizing sizing = Sizing.of(w.path("parksPerSecond").asDouble(), w.path("parkMeanMs").asDouble(), holders,
                waiting, threads);
        String site = w.path("site").asText();
        String shortSite = Frames.appFrames(w.path("stack"), 2);
        String pool = site.substring(0, site.lastIndexOf('.', site.indexOf('(')));
        Evidence ev = new Evidence().link("waits", w.path("id").asText(), "Waits at " + shortSite)
                .link("threads", null, "Thread dump");
        ev.node().set("heldBy", w.path("heldBy"));
        ev.node().put("site", site).put("pool", pool).put("waitsOn", w.path("waitsOn").asText())
                .put("apparentPoolSize", size).put("holdersMean", holders)
                .put("waitingMean", waiting).put("waitingMax", w.path("waitersMax").asInt())
                .put("totalWaitMs", w.path("totalWaitMs").asDouble()).put("group", w.path("group").asText())
                .put("windowMs", windowMs).put("threads", threads)
                .put("acquisitionsWaitedPerSecond", sizing.waitedPerSecond()).put("meanWaitMs", sizing.meanWaitMs())
                .put("holdMs", sizing.holdMs()).put("betweenHoldsMs", sizing.betweenMs())
                .put("recommendedPoolSize", sizing.recommended())
                .put("sizedFrom", sizing.measured() ? "measured hold time and arrival rate" : "sampled holders and waiters");
        String explanation = String.format(Locale.ROOT,
                "Threads of %s wait for a resource from %s: on average %.1f threads (up to %d) were parked in %s "
                        + "(%s) over the last %.0f s, while %d holders, always busy (%.1f on average), ran code of the "
                        + "pool's package: the pool's apparent size is %d and every resource is taken. Each request "
                        + "now waits for someone else's hold to end, so latency grows with the queue, not with the work.",
                w.path("group").asText(), pool, waiting, w.path("waitersMax").asInt(), shortSite,
                w.path("waitsOn").asText(), seconds, size, holders, size);
        String fix = (sizing.measured() ? String.format(Locale.ROOT,
                "Size the pool from what was measured: %.0f acquisitions/s waited %.0f ms on average (JFR parks on "
                        + "%s); a resource is held about %.0f ms (%.1f busy / %.0f per s, Little's law; at most that, as "
                        + "acquisitions that found one free are not in the rate); between holds the %d threads of %s "
                        + "spend about %.0f ms, so without the wait they would ask %.0f times a second and keep about "
                        + "%d resources busy: a pool of %d (today %d), or %d with holds half as long. ",
                sizing.waitedPerSecond(), sizing.meanWaitMs(), w.path("blocker").asText(), sizing.holdMs(), holders,
                sizing.waitedPerSecond(), threads, w.path("group").asText(), sizing.betweenMs(),
                sizing.demandPerSecond(), sizing.recommended(), sizing.recommended(), size,
                Math.max(size, (sizing.recommended() + 1) / 2))
                : String.format(Locale.ROOT, "Size the pool for the threads that want a resource at once: about %d "
                        + "(%.1f holding + %.1f waiting on average; today %d). ", sizing.recommended(), holders, waiting, size))
                + String.format(Locale.ROOT, "Shorten holds (no remote calls or user think-time while holding a "
                        + "resource from %s), or acquire with a timeout and turn the failure into backpressure (reject "
                        + "or shed the request) instead of queueing threads without bound.", pool);
        return new Detection(site, Severity.WARNING, "Resource pool exhausted: " + pool + " (" + size
                + " busy, " + Math.round(waiting) + " waiting)", explanation, fix, ev.node());
    }

    /**
     * Pool size from measured figures, for the usual thread-per-request shape (a fixed set of threads that each
     * hold one resource per request). Sampled: {@code L} holders busy, {@code Lq} threads waiting, {@code Lt}
     * threads of the group doing neither. Measured by JFR: {@code λ} acquisitions/s that waited, {@code Wq} on
     * average. Little's law gives the hold time {@code H = L / λ} and each thread's time between holds
     * {@code Z = H × Lt / L}; without the wait the threads would ask {@code λ' = threads / (H + Z)} times a second
     * and keep {@code λ' × H = threads × L / (L + Lt)} resources busy. That last form needs no rate, so barging
     * (acquisitions that never wait and so are not in {@code λ}) biases only the hold time shown, not the size.
     * Without JFR figures: the size alone, or the threads holding plus waiting when the group is all waiting.
     */
    record Sizing(boolean measured, double waitedPerSecond, double meanWaitMs, double holdMs, double betweenMs,
            double demandPerSecond, int recommended) {
        static Sizing of(double waitedPerSecond, double meanWaitMs, double holders, double waiting, int threads) {
            double others = threads - waiting - holders;
            if (holders <= 0 || others <= 0) {
                return new Sizing(false, waitedPerSecond, meanWaitMs, 0, 0, 0, (int) Math.ceil(holders + waiting));
            }
            int needed = Math.min(threads, (int) Math.ceil(threads * holders / (holders + others) - 0.05));
            if (waitedPerSecond <= 0) {
                return new Sizing(false, 0, 0, 0, 0, 0, needed);
            }
            double holdS = holders / waitedPerSecond;
            double betweenS = holdS * others / holders;
            return new Sizing(true, waitedPerSecond, meanWaitMs, holdS * 1000, betweenS * 1000,
                    threads / (holdS + betweenS), needed);
        }
    }
}
