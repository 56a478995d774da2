package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups the agent's long lock waits ({@code lock-wait} events: waits above the agent's long-wait threshold,
 * 100 ms by default) into pile-ups: bursts of waits on one lock that overlap in time. A stampede is a series of
 * such pile-ups at a regular period; a hot lock is a continuous stream instead.
 */
final class PileUps {
    /** Waits starting within this gap of the burst's end belong to the same pile-up. */
    static final long GAP_MS = Thresholds.whole("stampede.pileUpGapMs", 250);

    record Wait(String thread, long startMs, long endMs, JsonNode stack) {}

    record PileUp(long startMs, long endMs, Set<String> threads, long maxWaitMs, List<Wait> waits) {
        int size() {
            return threads.size();
        }
    }

    /** Long waits per lock id since {@code sinceMs}, with the lock's display name as the map's second key. */
    static Map<String, List<JsonNode>> waitsByLock(JvmSession jvm, long sinceMs) {
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        for (JvmSession.Event e : jvm.events("lock-wait")) {
            JsonNode b = e.body();
            if (b.path("endMs").asLong() >= sinceMs) {
                out.computeIfAbsent(b.path("lockId").asText(), k -> new ArrayList<>()).add(b);
            }
        }
        return out;
    }

    static List<PileUp> of(List<JsonNode> events) {
        List<Wait> waits = new ArrayList<>();
        for (JsonNode b : events) {
            long end = b.path("endMs").asLong();
            waits.add(new Wait(b.path("thread").asText(), end - b.path("waitNs").asLong() / 1_000_000, end, b.path("stack")));
        }
        waits.sort(Comparator.comparingLong(Wait::startMs));
        List<PileUp> out = new ArrayList<>();
        List<Wait> current = new ArrayList<>();
        long currentEnd = Long.MIN_VALUE;
        for (Wait w : waits) {
            if (!current.isEmpty() && w.startMs() > currentEnd + GAP_MS) {
                out.add(close(current));
                current = new ArrayList<>();
            }
            current.add(w);
            currentEnd = Math.max(currentEnd, w.endMs());
        }
        if (!current.isEmpty()) {
            out.add(close(current));
        }
        return out;
    }

    private static PileUp close(List<Wait> waits) {
        Set<String> threads = new HashSet<>();
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        long max = 0;
        for (Wait w : waits) {
            threads.add(w.thread());
            start = Math.min(start, w.startMs());
            end = Math.max(end, w.endMs());
            max = Math.max(max, w.endMs() - w.startMs());
        }
        return new PileUp(start, end, threads, max, waits);
    }

    /** Share of pile-ups that must fit the period: followed one period later, and part of the pattern at all. */
    static final double MIN_PERIOD_SUPPORT = Thresholds.number("stampede.minPeriodSupport", 0.75);

    /**
     * The recurrence period of the pile-ups, or -1 if they do not recur regularly. Several entries expiring on
     * their own schedules interleave several series with one period and different phases, so consecutive gaps
     * are irregular; the period is instead the shortest time shift that maps most pile-ups onto a later one,
     * with nearly every pile-up taking part (followed or preceded at that shift).
     */
    static long periodMs(List<PileUp> pileUps) {
        int n = pileUps.size();
        if (n < 2) {
            return -1;
        }
        long last = pileUps.get(n - 1).startMs();
        List<Long> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                candidates.add(pileUps.get(j).startMs() - pileUps.get(i).startMs());
            }
        }
        candidates.sort(Long::compare);
        for (long d : candidates) {
            if (d < 2 * GAP_MS) {
                continue;
            }
            long tolerance = Math.max(100, d / 10);
            boolean[] part = new boolean[n];
            int eligible = 0;
            int followed = 0;
            long sum = 0;
            for (int i = 0; i < n; i++) {
                long start = pileUps.get(i).startMs();
                boolean roomForSuccessor = start + d <= last + tolerance;
                for (int j = i + 1; j < n; j++) {
                    long shift = pileUps.get(j).startMs() - start;
                    if (Math.abs(shift - d) <= tolerance) {
                        part[i] = true;
                        part[j] = true;
                        if (roomForSuccessor) {
                            followed++;
                            sum += shift;
                        }
                        break;
                    }
                }
                if (roomForSuccessor) {
                    eligible++;
                }
            }
            int participants = 0;
            for (boolean b : part) {
                participants += b ? 1 : 0;
            }
            if (followed >= 1 && (double) followed / eligible >= MIN_PERIOD_SUPPORT
                    && (double) participants / n >= MIN_PERIOD_SUPPORT) {
                return sum / followed; // the mean matched shift: finer than the candidate itself
            }
        }
        return -1;
    }
}
