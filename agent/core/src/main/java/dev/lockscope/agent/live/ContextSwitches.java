package dev.lockscope.agent.live;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/**
 * Process-wide context switches per second from Linux's per-thread counters in {@code /proc/self/task/*}.
 * A high voluntary rate with low throughput means threads hand work back and forth (too many threads, or
 * a lock convoy). Rates are computed per thread id, so threads that exit between samples do not make the
 * total go backwards. Not on Linux: {@link #sample()} returns null.
 */
final class ContextSwitches {
    private static final Path TASKS = Paths.get("/proc/self/task");

    record Rates(double voluntaryPerSec, double involuntaryPerSec) {}

    private Map<String, long[]> previous = new HashMap<>();
    private long previousNanos;
    private final boolean available = Files.isDirectory(TASKS);

    Rates sample() {
        if (!available) {
            return null;
        }
        long now = System.nanoTime();
        Map<String, long[]> current = new HashMap<>(previous.size() * 2 + 16);
        long voluntary = 0;
        long involuntary = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                long[] counts = read(task.resolve("status"));
                if (counts == null) {
                    continue; // the thread exited while we listed
                }
                String tid = task.getFileName().toString();
                current.put(tid, counts);
                long[] before = previous.get(tid);
                voluntary += counts[0] - (before == null ? 0 : before[0]);
                involuntary += counts[1] - (before == null ? 0 : before[1]);
            }
        } catch (IOException e) {
            return null;
        }
        boolean first = previous.isEmpty();
        double seconds = (now - previousNanos) / 1e9;
        previous = current;
        previousNanos = now;
        if (first || seconds <= 0) {
            return null;
        }
        return new Rates(Math.max(0, voluntary) / seconds, Math.max(0, involuntary) / seconds);
    }

    private static long[] read(Path status) {
        try {
            long[] counts = new long[2];
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    counts[0] = Long.parseLong(line.substring(24).trim());
                } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                    counts[1] = Long.parseLong(line.substring(27).trim());
                }
            }
            return counts;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
