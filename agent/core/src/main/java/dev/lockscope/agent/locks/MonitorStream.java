package dev.lockscope.agent.locks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * {@code synchronized} contention through a JFR {@link RecordingStream}: {@code jdk.JavaMonitorEnter}
 * (contended enter, reported when the wait ends), {@code jdk.JavaMonitorWait} ({@code Object.wait}, a signal
 * wait) and, only when the j.u.c. instrumentation is off, {@code jdk.ThreadPark} as its fallback.
 *
 * <p>JFR merges the settings of every recording in the JVM, so a user's own recording with lower thresholds
 * makes events below ours arrive here too: every event is filtered by this stream's own thresholds. Events of
 * the agent's own threads ({@code lockscope-*}) are ignored. Runs on an agent thread ({@link #run}).
 */
final class MonitorStream {
    private final LockTable table;
    private final long enterThresholdNs;
    private final long waitThresholdNs;
    private final long parkThresholdNs;
    private final boolean park;
    private final Consumer<LockTable.LongWait> longWaits;
    private volatile RecordingStream stream;
    private volatile boolean closed;
    volatile String error;
    volatile boolean running;

    MonitorStream(LockTable table, long enterThresholdMs, long waitThresholdMs, long parkThresholdMs, boolean park,
                  Consumer<LockTable.LongWait> longWaits) {
        this.table = table;
        this.enterThresholdNs = enterThresholdMs * 1_000_000;
        this.waitThresholdNs = waitThresholdMs * 1_000_000;
        this.parkThresholdNs = parkThresholdMs * 1_000_000;
        this.park = park;
        this.longWaits = longWaits;
    }

    void run() {
        try (RecordingStream rs = new RecordingStream()) {
            stream = rs;
            if (closed) {
                return; // stopped before it started (volatile pair: stop() sees the stream or this sees closed)
            }
            rs.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofNanos(enterThresholdNs)).withStackTrace();
            rs.enable("jdk.JavaMonitorWait").withThreshold(Duration.ofNanos(waitThresholdNs)).withoutStackTrace();
            rs.onEvent("jdk.JavaMonitorEnter", this::onEnter);
            rs.onEvent("jdk.JavaMonitorWait", this::onWait);
            if (park) {
                rs.enable("jdk.ThreadPark").withThreshold(Duration.ofNanos(parkThresholdNs)).withStackTrace();
                rs.onEvent("jdk.ThreadPark", this::onPark);
            }
            rs.setMaxAge(Duration.ofSeconds(10));
            running = true;
            rs.start();
        } catch (Throwable t) {
            error = t.toString();
        } finally {
            running = false;
        }
    }

    void stop() {
        closed = true;
        RecordingStream rs = stream;
        if (rs != null) {
            rs.close();
        }
    }

    private static boolean agentThread(RecordedThread t) {
        return t == null || t.getJavaName() == null || t.getJavaName().startsWith("lockscope-");
    }

    private void onEnter(RecordedEvent e) {
        try {
            if (e.getDuration().toNanos() < enterThresholdNs || agentThread(e.getThread())) {
                return;
            }
            RecordedClass cls = e.getClass("monitorClass");
            record("jfr", cls == null ? "?" : cls.getName(), e.getLong("address"), true, e);
        } catch (Throwable t) {
            error = t.toString();
        }
    }

    private void onPark(RecordedEvent e) {
        try {
            if (e.getDuration().toNanos() < parkThresholdNs || agentThread(e.getThread())) {
                return;
            }
            RecordedClass cls = e.getClass("parkedClass");
            if (cls == null || !LiveLocks.isLockBlocker(cls.getName())) {
                return; // a bare LockSupport.park, a Condition or a latch: not lock contention
            }
            record("jfr-park", cls.getName(), e.getLong("address"), false, e);
        } catch (Throwable t) {
            error = t.toString();
        }
    }

    private void onWait(RecordedEvent e) {
        try {
            if (e.getDuration().toNanos() < waitThresholdNs || agentThread(e.getThread())) {
                return;
            }
            RecordedClass cls = e.getClass("monitorClass");
            table.addMonitorWait(cls == null ? "?" : cls.getName(), e.getDuration().toNanos());
        } catch (Throwable t) {
            error = t.toString();
        }
    }

    private void record(String source, String cls, long address, boolean monitor, RecordedEvent e) {
        RecordedThread t = e.getThread();
        LockTable.LongWait lw = table.addJfrWait(source, cls, address, monitor, epochNanos(e.getStartTime()),
                epochNanos(e.getEndTime()), t.getJavaName(), t.getJavaThreadId(), frames(e.getStackTrace()));
        if (lw != null) {
            longWaits.accept(lw);
        }
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static String[] frames(RecordedStackTrace st) {
        if (st == null) {
            return null;
        }
        List<RecordedFrame> fs = st.getFrames();
        int n = Math.min(fs.size(), Stacks.MAX_DEPTH);
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            RecordedFrame f = fs.get(i);
            out[i] = Stacks.frame(f.getMethod().getType().getName(), f.getMethod().getName(), null, f.getLineNumber());
        }
        return out;
    }
}
