package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deadlock: a cycle of threads each holding a lock the next one waits for, as reported by the agent's deadlock
 * watch (monitors and ownable synchronizers). Open while the agent still sees deadlocked threads.
 */
final class DeadlockDetector implements Detector {
    /** A report newer than the latest sample is current even before a sample confirms it. */
    static final long REPORT_GRACE_MS = Thresholds.whole("deadlock.reportGraceMs", 2_000);

    private final ThreadCaptures captures;

    DeadlockDetector(ThreadCaptures captures) {
        this.captures = captures;
    }

    @Override
    public String kind() {
        return "deadlock";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JvmSession.Sample latest = jvm.latest();
        int deadlockedNow = latest == null ? 0 : latest.body().path("threads").path("deadlockedThreads").asInt(0);
        Map<String, Detection> out = new LinkedHashMap<>();
        for (ThreadCaptures.Deadlock d : captures.deadlocks(jvm.id())) {
            boolean current = deadlockedNow > 0 || latest == null || d.detectedAt() + REPORT_GRACE_MS >= latest.ts();
            if (!current) {
                continue;
            }
            for (JsonNode cycle : d.cycles()) {
                out.putIfAbsent(cycle.path("key").asText(), detection(cycle, d));
            }
        }
        return new ArrayList<>(out.values());
    }

    private static Detection detection(JsonNode cycle, ThreadCaptures.Deadlock d) {
        List<String> names = new ArrayList<>();
        List<String> holdAndWait = new ArrayList<>();
        List<String> sites = new ArrayList<>();
        boolean allMonitors = true;
        for (JsonNode t : cycle.path("threads")) {
            String name = t.path("name").asText();
            names.add(name);
            String holds = lock(t.path("holds"));
            String waits = lock(t.path("waitingFor"));
            String takenAt = Frames.withoutModule(t.path("holdsTakenAt").asText(""));
            String waitingAt = Frames.withoutModule(t.path("waitingAt").asText(""));
            holdAndWait.add(name + " holds " + holds + (takenAt.isEmpty() ? "" : " (taken at " + takenAt + ")")
                    + " and waits for " + waits + (waitingAt.isEmpty() ? "" : " at " + waitingAt));
            if (!waitingAt.isEmpty() && !sites.contains(waitingAt)) {
                sites.add(waitingAt);
            }
            if (!"monitor".equals(t.path("waitingFor").path("kind").asText())) {
                allMonitors = false;
            }
        }
        String ring = String.join(" → ", names) + " → " + names.get(0);
        Evidence ev = new Evidence().link("threads", d.captureId(), "Thread dump taken at detection");
        ev.node().put("detectedAt", d.detectedAt()).put("captureId", d.captureId()).put("cycleLength", names.size());
        ev.node().set("cycle", cycle);
        String explanation = "Threads " + String.join(", ", names) + " are deadlocked in a cycle of " + names.size()
                + ": " + String.join("; ", holdAndWait) + ". All four Coffman conditions hold: mutual exclusion (each "
                + "lock admits one owner at a time), hold and wait (each thread keeps the lock it has while it waits "
                + "for the next), no preemption (the JVM never takes a " + (allMonitors ? "monitor" : "lock")
                + " away from its owner, and the wait has no timeout), and circular wait (" + ring + "). None of "
                + "these threads will ever run again; whatever they serve is stuck.";
        String where = sites.isEmpty() ? "where these locks are taken together" : "at " + String.join(" and ", sites);
        String fix = "Take these locks in one global order everywhere they are taken together (" + where
                + "): for example always the lower account or entity id first, or by a stable key. That breaks "
                + "circular wait, so no cycle can form."
                + (allMonitors ? " (synchronized has no timeout; to break hold-and-wait instead, switch these locks "
                        + "to ReentrantLock and use tryLock with a timeout and randomized backoff.)"
                        : " Alternatively use tryLock with a timeout and randomized backoff, releasing the first lock "
                                + "when the second cannot be had: that breaks hold and wait.");
        return new Detection(cycle.path("key").asText(), Severity.CRITICAL, "Deadlock: " + ring, explanation, fix,
                ev.node());
    }

    private static String lock(JsonNode l) {
        if (l == null || l.isNull() || l.isMissingNode()) {
            return "a lock";
        }
        return l.path("className").asText("?") + "@" + l.path("identityHash").asText("?");
    }
}
