package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Starvation: one thread waits on a lock for a long time while others keep getting it — the lock changes hands
 * (several owners seen during the wait) or is held in shared mode (read lock, semaphore). A wait behind one
 * unchanging owner is a slow holder or a deadlock, which other findings cover.
 */
final class StarvationDetector implements Detector {
    /** A stall a user notices, and orders of magnitude above a healthy lock wait (milliseconds). */
    static final long MIN_STARVED_MS = Thresholds.whole("starvation.minWaitMs", 2_000);

    private final long windowMs;

    StarvationDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "starvation";
    }

    private static final class Waiter {
        JsonNode latest;
        final Set<Long> owners = new HashSet<>();
        boolean shared;
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JvmSession.Sample latestSample = jvm.latest();
        if (latestSample == null) {
            return List.of();
        }
        Map<String, Waiter> waiters = new LinkedHashMap<>();
        for (JvmSession.Sample s : jvm.samplesSince(nowMs - Math.max(windowMs, MIN_STARVED_MS))) {
            for (JsonNode b : s.body().path("locks").path("blockedNow")) {
                String key = b.path("threadId").asLong() + "@" + b.path("identityHash").asLong();
                Waiter w = waiters.computeIfAbsent(key, k -> new Waiter());
                long owner = b.path("ownerId").asLong(-1);
                if (owner >= 0) {
                    w.owners.add(owner);
                } else {
                    w.shared = true;
                }
            }
        }
        for (JsonNode b : latestSample.body().path("locks").path("blockedNow")) {
            Waiter w = waiters.get(b.path("threadId").asLong() + "@" + b.path("identityHash").asLong());
            if (w != null) {
                w.latest = b;
            }
        }
        List<Detection> out = new ArrayList<>();
        for (Map.Entry<String, Waiter> e : waiters.entrySet()) {
            Waiter w = e.getValue();
            if (w.latest == null || w.latest.path("ageMs").asLong() < MIN_STARVED_MS || (!w.shared && w.owners.size() < 2)) {
                continue;
            }
            out.add(detection(e.getKey(), w));
        }
        return out;
    }

    private static Detection detection(String key, Waiter w) {
        JsonNode b = w.latest;
        String thread = b.path("thread").asText();
        String lock = b.path("lockClass").asText() + "@" + Long.toHexString(b.path("identityHash").asLong());
        String site = b.path("callSite").asText("");
        boolean readWrite = b.path("lockClass").asText().contains("ReentrantReadWriteLock");
        long ageMs = b.path("ageMs").asLong();
        Evidence ev = new Evidence().link("threads", null, "Thread dump").link("locks", null, "Locks");
        ev.node().put("thread", thread).put("lock", lock).put("waitingMs", ageMs).put("callSite", site)
                .put("sharedMode", w.shared).put("distinctOwnersSeen", w.owners.size());
        String others = w.shared
                ? "the lock is held in shared mode the whole time (" + (readWrite ? "readers" : "other holders")
                        + " keep it, and new ones keep joining them)"
                : "the lock changed hands among " + w.owners.size() + " other threads while it waited";
        String explanation = String.format(Locale.ROOT,
                "Thread %s has waited %.1f s for %s%s while others keep getting it: %s. This is starvation: the lock is "
                        + "not stuck, it is unfair to this waiter. Nonfair locks let a thread that arrives (or retries "
                        + "with tryLock, which ignores the queue) overtake the ones already waiting, and overlapping "
                        + "shared holds never leave a gap for an exclusive one.",
                thread, ageMs / 1000.0, lock, site.isEmpty() ? "" : " at " + site, others);
        String fix = (readWrite
                ? "Make the read-write lock fair (new ReentrantReadWriteLock(true)) and have readers call "
                        + "readLock().lock() rather than retrying tryLock(), so a waiting writer blocks new readers; "
                        + "or publish the data as an immutable snapshot readers take without a lock."
                : "Use a fair lock (new ReentrantLock(true)) or stop re-acquiring in a tight loop (do the work "
                        + "between acquisitions outside the lock), so waiting threads get their turn.")
                + (site.isEmpty() ? "" : " The starved wait is at " + site + ".");
        return new Detection(key, Severity.WARNING, "Starvation: " + thread + " waits for " + lock, explanation, fix,
                ev.node());
    }
}
