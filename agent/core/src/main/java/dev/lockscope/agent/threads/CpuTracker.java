package dev.lockscope.agent.threads;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-thread CPU time, remembered so a dump can say how busy each thread has been recently (the {@code top -H}
 * view): {@link #refresh()} is called about once a second by the watch thread and keeps the previous reading
 * of every platform thread; {@link #recentPercent} compares a fresh reading with the kept one.
 *
 * <p>Thread-safety: {@code refresh} and {@code recentPercent} may run on different threads; the kept reading
 * is an immutable snapshot published through a volatile field, so readers see a whole one (possibly stale by
 * up to two refresh periods).
 */
final class CpuTracker {
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final boolean supported;
    private volatile Snapshot kept;
    private volatile Snapshot latest;

    /** CPU times of a set of threads at one moment ({@code nanoTime}). */
    record Snapshot(long atNanos, Map<Long, Long> cpuNsById) {}

    CpuTracker() {
        boolean ok = threads.isThreadCpuTimeSupported();
        if (ok && !threads.isThreadCpuTimeEnabled()) {
            try {
                threads.setThreadCpuTimeEnabled(true);
            } catch (UnsupportedOperationException | SecurityException e) {
                ok = false;
            }
        }
        supported = ok;
    }

    boolean supported() {
        return supported;
    }

    /** Reads all platform threads' CPU times; the reading before becomes the baseline of recent CPU%. */
    void refresh() {
        if (!supported) {
            return;
        }
        Snapshot now = read(threads.getAllThreadIds());
        kept = latest == null ? now : latest;
        latest = now;
    }

    /** CPU times of {@code ids} now, in one call (-1 for a thread that ended or is not measurable). */
    Snapshot read(long[] ids) {
        long at = System.nanoTime();
        long[] cpu = supported ? threads.getThreadCpuTime(ids) : new long[ids.length];
        Map<Long, Long> m = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            m.put(ids[i], supported ? cpu[i] : -1L);
        }
        return new Snapshot(at, m);
    }

    /**
     * Percent of one core the thread used between the kept baseline and {@code now}, or -1 when unknown (no
     * baseline yet, a thread newer than the baseline, or CPU time unsupported).
     */
    double recentPercent(long id, Snapshot now) {
        Snapshot base = kept;
        if (base == null || !supported) {
            return -1;
        }
        Long before = base.cpuNsById().get(id);
        Long after = now.cpuNsById().get(id);
        long wall = now.atNanos() - base.atNanos();
        if (before == null || after == null || before < 0 || after < 0 || wall <= 0) {
            return -1;
        }
        return Math.max(0, after - before) * 100.0 / wall;
    }

    /** How long the window of {@link #recentPercent} is at {@code now}, in milliseconds (0 without baseline). */
    long windowMs(Snapshot now) {
        Snapshot base = kept;
        return base == null ? 0 : (now.atNanos() - base.atNanos()) / 1_000_000;
    }
}
