package dev.lockscope.agent.profile;

import java.util.Locale;
import java.util.Map;

/**
 * What the dashboard asked for: the event to profile, how long, and which threads.
 *
 * @param event       {@code cpu}, {@code wall}, {@code lock}, {@code alloc} (or {@code cpu+lock}, see {@link #cpuAndLock})
 * @param durationMs  how long to run; 0 means until {@code profile.stop}
 * @param intervalMs  sampling period for cpu and wall
 * @param thresholdMs lock mode: contended acquisitions shorter than this are not recorded
 * @param allocBytes  alloc mode: async-profiler's sampling interval in bytes
 * @param threads     keep only threads whose name contains this text (null: all threads)
 * @param byThread    one flame graph root per thread (frames {@code [thread name]} at the bottom)
 */
record ProfileRequest(String event, long durationMs, long intervalMs, long thresholdMs, long allocBytes,
                      String threads, boolean byThread) {
    /** Longest profile accepted: a forgotten one must not run for days. */
    static final long MAX_DURATION_MS = 3_600_000;

    static ProfileRequest parse(Map<String, Object> args) {
        String event = String.valueOf(args.getOrDefault("event", "cpu")).toLowerCase(Locale.ROOT);
        if (!event.equals("cpu") && !event.equals("wall") && !event.equals("lock") && !event.equals("alloc")) {
            throw new IllegalArgumentException("unknown event '" + event + "' (use cpu, wall, lock or alloc)");
        }
        long duration = number(args, "durationMs", 30_000);
        if (duration < 0 || duration > MAX_DURATION_MS) {
            throw new IllegalArgumentException("durationMs must be between 0 (until stopped) and " + MAX_DURATION_MS);
        }
        long interval = number(args, "intervalMs", event.equals("wall") ? 20 : 10);
        if (interval < 1 || interval > 10_000) {
            throw new IllegalArgumentException("intervalMs must be between 1 and 10000");
        }
        long threshold = number(args, "thresholdMs", 1);
        if (threshold < 0 || threshold > 60_000) {
            throw new IllegalArgumentException("thresholdMs must be between 0 and 60000");
        }
        long allocBytes = number(args, "allocBytes", 512 * 1024);
        if (allocBytes < 1) {
            throw new IllegalArgumentException("allocBytes must be positive");
        }
        Object t = args.get("threads");
        String threads = t == null || String.valueOf(t).isBlank() ? null : String.valueOf(t);
        boolean byThread = Boolean.TRUE.equals(args.get("byThread"));
        return new ProfileRequest(event, duration, interval, threshold, allocBytes, threads, byThread);
    }

    /**
     * cpu and lock at once, as an incident capture records them (not offered to the dashboard: its flame
     * graphs show one event). {@link #asCpu()} and {@link #asLock()} read the two out of the one file.
     */
    static ProfileRequest cpuAndLock() {
        return new ProfileRequest(CPU_AND_LOCK, 0, 10, 1, 512 * 1024, null, false);
    }

    static final String CPU_AND_LOCK = "cpu+lock";

    ProfileRequest asCpu() {
        return new ProfileRequest("cpu", durationMs, intervalMs, thresholdMs, allocBytes, threads, byThread);
    }

    ProfileRequest asLock() {
        return new ProfileRequest("lock", durationMs, intervalMs, thresholdMs, allocBytes, threads, byThread);
    }

    private static long number(Map<String, Object> args, String key, long fallback) {
        Object v = args.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not a number: " + v);
        }
    }

    boolean keepsThread(String name) {
        return threads == null || (name != null && name.contains(threads));
    }
}
