package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.locks.LockService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cache stampede (thundering herd): many threads waiting on one lock at the same moment while a single holder
 * runs something slow, recurring at a regular period with quiet in between — the shape of a cached entry that
 * expires and is reloaded under the lock its readers take.
 */
final class StampedeDetector implements Detector {
    /** A herd: several threads at once, not two threads bumping into each other. */
    static final int MIN_HERD = (int) Thresholds.whole("stampede.minHerd", 4);
    /** Two pile-ups give a period; more must agree with it (see {@link PileUps#periodMs}). */
    static final int MIN_PILEUPS = (int) Thresholds.whole("stampede.minPileUps", 2);
    /** Bursts, not a steady queue: pile-ups cover at most this share of the time from first to last. */
    static final double MAX_BUSY_SHARE = Thresholds.number("stampede.maxBusyShare", 0.6);
    /** Look back far enough to see a few periods of a TTL measured in tens of seconds. */
    static final long MIN_LOOKBACK_MS = Thresholds.whole("stampede.minLookbackMs", 30_000);

    private final long windowMs;
    private final LockService locks = new LockService();

    StampedeDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "cache-stampede";
    }

    /** A lock's pile-ups and their period, when they look like a stampede. */
    record Pattern(String lockId, List<PileUps.PileUp> herds, long periodMs) {}

    /** The locks whose long waits form a stampede pattern right now (also used to keep hot-lock apart). */
    static List<Pattern> patterns(JvmSession jvm, long nowMs, long windowMs) {
        long lookback = Math.max(3 * windowMs, MIN_LOOKBACK_MS);
        List<Pattern> out = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> e : PileUps.waitsByLock(jvm, nowMs - lookback).entrySet()) {
            List<PileUps.PileUp> herds = PileUps.of(e.getValue()).stream().filter(p -> p.size() >= MIN_HERD).toList();
            if (herds.size() < MIN_PILEUPS) {
                continue;
            }
            long period = PileUps.periodMs(herds);
            if (period <= 0 || busyShare(herds) > MAX_BUSY_SHARE) {
                continue;
            }
            // Still happening: the last herd is no older than two and a half periods.
            if (herds.get(herds.size() - 1).startMs() < nowMs - 2.5 * period) {
                continue;
            }
            out.add(new Pattern(e.getKey(), herds, period));
        }
        return out;
    }

    private static double busyShare(List<PileUps.PileUp> herds) {
        long busy = 0;
        for (PileUps.PileUp p : herds) {
            busy += p.endMs() - p.startMs();
        }
        long span = herds.get(herds.size() - 1).endMs() - herds.get(0).startMs();
        return span <= 0 ? 1 : (double) busy / span;
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        List<Pattern> patterns = patterns(jvm, nowMs, windowMs);
        if (patterns.isEmpty()) {
            return List.of();
        }
        long lookback = Math.max(3 * windowMs, MIN_LOOKBACK_MS);
        JsonNode ranking = locks.ranking(jvm, lookback).path("locks");
        List<Detection> out = new ArrayList<>();
        for (Pattern p : patterns) {
            JsonNode row = row(ranking, p.lockId());
            PileUps.PileUp last = p.herds().get(p.herds().size() - 1);
            int biggest = p.herds().stream().mapToInt(PileUps.PileUp::size).max().orElse(0);
            long longest = p.herds().stream().mapToLong(PileUps.PileUp::maxWaitMs).max().orElse(0);
            String name = row.path("name").asText(p.lockId());
            String waiterAt = Frames.appFrames(last.waits().get(0).stack(), 2);
            String holderAt = Frames.appFrames(Frames.heaviest(row.path("ownerStacks")), 3);
            Evidence ev = new Evidence().window(p.herds().get(0).startMs(), nowMs).link("locks", p.lockId(), "Lock " + name)
                    .link("profiles", null, "Lock flame graph");
            ev.node().put("lockId", p.lockId()).put("lock", name).put("periodMs", p.periodMs())
                    .put("pileUps", p.herds().size()).put("largestPileUp", biggest).put("longestWaitMs", longest)
                    .put("maxWaiters", row.path("maxWaiters").asInt()).put("waiterFrames", waiterAt)
                    .put("holderFrames", holderAt);
            ArrayNode herds = ev.node().putArray("herds");
            p.herds().forEach(h -> herds.addObject().put("startMs", h.startMs()).put("endMs", h.endMs())
                    .put("threads", h.size()).put("maxWaitMs", h.maxWaitMs()));
            String explanation = String.format(Locale.ROOT,
                    "Cache stampede (thundering herd) on %s: about every %.1f s (estimated from %d pile-ups) up to %d "
                            + "threads pile up on this one lock at the same moment and wait up to %d ms, while a single "
                            + "holder works%s. A regular period, a burst of waiters and one slow holder is what happens "
                            + "when a cached value expires and the first reader reloads it while holding the lock every "
                            + "other reader needs: they all queue behind the reload, once per expiry.",
                    name, p.periodMs() / 1000.0, p.herds().size(), biggest, longest,
                    holderAt.isEmpty() ? "" : " in " + holderAt);
            String fix = "Stop reloading under the lock that readers take" + (waiterAt.isEmpty() ? "" : " (at " + waiterAt + ")")
                    + ": use single-flight with serve-stale (one thread refreshes the entry while the others keep "
                    + "serving the previous value), or probabilistic early expiration (each read refreshes slightly "
                    + "before the TTL with a small random chance), and jitter TTLs so entries do not expire together.";
            out.add(new Detection(p.lockId(), Severity.WARNING, "Cache stampede on " + name, explanation, fix, ev.node()));
        }
        return out;
    }

    static JsonNode row(JsonNode ranking, String lockId) {
        for (JsonNode r : ranking) {
            if (r.path("id").asText().equals(lockId)) {
                return r;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
