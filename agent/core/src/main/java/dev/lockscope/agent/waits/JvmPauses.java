package dev.lockscope.agent.waits;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.protocol.JsonWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Time the JVM stopped every thread, from JFR: GC pauses ({@code jdk.GCPhasePause}) and time to safepoint
 * ({@code jdk.SafepointBegin}, whose duration is the wait for all threads to reach the safepoint). It also
 * measures how much lock waiting overlapped those pauses: contended {@code synchronized} enters
 * ({@code jdk.JavaMonitorEnter}) and parks on j.u.c. locks ({@code jdk.ThreadPark}), both without stacks; and
 * counts every other park by its blocker's class (a semaphore, a queue, a future), so a wait site's rate of
 * acquisitions and mean wait are measured, not inferred ({@code parks}).
 *
 * <p>Overlaps are computed on each flush, when every event of the flushed segment has arrived: a wait ends
 * after any pause inside it, so the pauses it overlaps are already known then. Runs on an agent thread;
 * {@link #write} is called from the sampler thread, so counters are guarded by this object's monitor.
 */
final class JvmPauses {
    /** Recent pauses kept for the overlap computation (a wait longer than these is cut to what they cover). */
    static final int RING = 512;
    /** Pauses sent with each sample (the dashboard draws them and matches them to waits). */
    static final int RECENT = 20;
    static final int MAX_LOCKS = 32;

    private final long waitThresholdNs;
    private final long[] pauseStart = new long[RING];
    private final long[] pauseEnd = new long[RING];
    private int pauseCount;
    private final List<long[]> pendingWaits = new ArrayList<>();
    private final List<String> pendingClasses = new ArrayList<>();
    private long gcPauses;
    private long gcPauseNs;
    private long safepoints;
    private long timeToSafepointNs;
    private long lockWaits;
    private long lockWaitNs;
    private long overlappedWaits;
    private long overlapNs;
    private final Map<String, long[]> byLock = new LinkedHashMap<>();
    /** Parks that waited for something other than a lock, by blocker class: {waits, total ns}. */
    private final Map<String, long[]> parks = new LinkedHashMap<>();
    /** Each thread's last such park: its blocker class and end (epoch ns), to join a wait parked in pieces. */
    private final Map<Long, Object[]> lastPark = new java.util.HashMap<>();
    /**
     * A park that starts this soon after the same thread's previous park on the same kind of blocker ended is
     * the same wait: a woken waiter that loses the race for the permit parks again (measured on a semaphore:
     * counting each park overstated acquisitions by 40 %).
     */
    static final long SAME_WAIT_GAP_NS = 2_000_000;
    private volatile RecordingStream stream;
    volatile boolean running;
    /** When the stream last started (epoch ms): park rates are over the time since, not a whole window. */
    private volatile long parksSinceMs;
    volatile String error;

    /** False once stopped: a stream created after {@link #stop()} must not start. */
    private volatile boolean wanted;
    private volatile Thread thread;

    JvmPauses(long waitThresholdMs) {
        this.waitThresholdNs = waitThresholdMs * 1_000_000;
    }

    /** Starts the stream on an agent thread of its own; after {@link #stop()} it may be started again. */
    void start() {
        wanted = true;
        thread = AgentContext.startThread("waits-jfr", this::run);
    }

    private void run() {
        try (RecordingStream rs = new RecordingStream()) {
            stream = rs;
            if (!wanted) {
                return;
            }
            rs.enable("jdk.GCPhasePause").withThreshold(Duration.ZERO);
            rs.enable("jdk.SafepointBegin").withThreshold(Duration.ZERO);
            rs.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofNanos(waitThresholdNs));
            rs.enable("jdk.ThreadPark").withThreshold(Duration.ofNanos(waitThresholdNs));
            rs.onEvent("jdk.GCPhasePause", e -> pause(e, true));
            rs.onEvent("jdk.SafepointBegin", e -> pause(e, false));
            rs.onEvent("jdk.JavaMonitorEnter", e -> lockWait(e, "monitorClass"));
            rs.onEvent("jdk.ThreadPark", e -> lockWait(e, "parkedClass"));
            rs.onFlush(this::flush);
            rs.setMaxAge(Duration.ofSeconds(10));
            running = true;
            parksSinceMs = System.currentTimeMillis();
            rs.start();
        } catch (Throwable t) {
            error = t.toString();
        } finally {
            running = false;
        }
    }

    /** Closes the stream and waits (bounded) for its thread to end: after a detach no agent thread is left. */
    void stop() {
        wanted = false;
        RecordingStream rs = stream;
        if (rs != null) {
            rs.close();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void pause(RecordedEvent e, boolean gc) {
        try {
            long d = e.getDuration().toNanos();
            if (gc) {
                gcPauses++;
                gcPauseNs += d;
                int i = pauseCount++ % RING;
                pauseStart[i] = epochNanos(e.getStartTime());
                pauseEnd[i] = epochNanos(e.getEndTime());
            } else {
                safepoints++;
                timeToSafepointNs += d;
            }
        } catch (Throwable t) {
            error = t.toString();
        }
    }

    private synchronized void lockWait(RecordedEvent e, String classField) {
        try {
            RecordedThread t = e.getThread();
            if (t == null || t.getJavaName() == null || t.getJavaName().startsWith("lockscope-")
                    || e.getDuration().toNanos() < waitThresholdNs) {
                return;
            }
            RecordedClass cls = e.getClass(classField);
            String name = cls == null ? "?" : cls.getName();
            if (classField.equals("parkedClass") && !ThreadClassifier.isLock(name)) {
                // A future, a queue, a latch: waits for a signal, which a pause delays but does not amplify.
                long[] p = parks.get(name);
                if (p == null && parks.size() < MAX_LOCKS) {
                    p = new long[2];
                    parks.put(name, p);
                }
                if (p != null) {
                    long start = epochNanos(e.getStartTime());
                    Object[] before = lastPark.get(t.getJavaThreadId());
                    if (before == null || !name.equals(before[0]) || start - (long) before[1] > SAME_WAIT_GAP_NS) {
                        p[0]++;
                    }
                    p[1] += e.getDuration().toNanos();
                    if (lastPark.size() > 4096) {
                        lastPark.clear(); // bounded: threads come and go
                    }
                    lastPark.put(t.getJavaThreadId(), new Object[] {name, epochNanos(e.getEndTime())});
                }
                return;
            }
            pendingWaits.add(new long[] {epochNanos(e.getStartTime()), epochNanos(e.getEndTime())});
            pendingClasses.add(name);
        } catch (Throwable t) {
            error = t.toString();
        }
    }

    private synchronized void flush() {
        for (int w = 0; w < pendingWaits.size(); w++) {
            long start = pendingWaits.get(w)[0];
            long end = pendingWaits.get(w)[1];
            long overlap = 0;
            for (int i = 0; i < Math.min(pauseCount, RING); i++) {
                overlap += Math.max(0, Math.min(end, pauseEnd[i]) - Math.max(start, pauseStart[i]));
            }
            lockWaits++;
            lockWaitNs += end - start;
            if (overlap > 0) {
                overlappedWaits++;
                overlapNs += overlap;
            }
            String cls = pendingClasses.get(w);
            long[] l = byLock.get(cls);
            if (l == null && byLock.size() < MAX_LOCKS) {
                l = new long[3];
                byLock.put(cls, l);
            }
            if (l != null) {
                l[0]++;
                l[1] += end - start;
                l[2] += overlap;
            }
        }
        pendingWaits.clear();
        pendingClasses.clear();
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    synchronized void write(JsonWriter w) {
        w.name("jvm").beginObject().field("running", running).field("error", error)
                .field("gcPauses", gcPauses).field("gcPauseNs", gcPauseNs)
                .field("safepoints", safepoints).field("timeToSafepointNs", timeToSafepointNs);
        w.name("recentPauses").beginArray();
        for (int k = Math.max(0, pauseCount - RECENT); k < pauseCount; k++) {
            int i = k % RING;
            w.beginObject().field("startMs", pauseStart[i] / 1_000_000).field("ns", pauseEnd[i] - pauseStart[i]).endObject();
        }
        w.endArray().endObject();
        w.name("gcOverlap").beginObject().field("thresholdMs", waitThresholdNs / 1_000_000)
                .field("lockWaits", lockWaits).field("lockWaitNs", lockWaitNs)
                .field("overlappedWaits", overlappedWaits).field("overlapNs", overlapNs);
        w.name("byLock").beginArray();
        for (Map.Entry<String, long[]> e : byLock.entrySet()) {
            w.beginObject().field("class", e.getKey()).field("waits", e.getValue()[0])
                    .field("waitNs", e.getValue()[1]).field("overlapNs", e.getValue()[2]).endObject();
        }
        w.endArray().endObject();
        w.field("parksSinceMs", parksSinceMs).name("parks").beginArray();
        for (Map.Entry<String, long[]> e : parks.entrySet()) {
            w.beginObject().field("class", e.getKey()).field("parks", e.getValue()[0]).field("parkNs", e.getValue()[1]).endObject();
        }
        w.endArray();
    }
}
