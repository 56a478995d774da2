package dev.lockscope.dashboard.imports;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a {@code .jfr} recording ({@code -XX:StartFlightRecording}, {@code jcmd JFR.dump}, JMC): contended
 * monitor enters ({@code jdk.JavaMonitorEnter}), parks on j.u.c. locks ({@code jdk.ThreadPark}), CPU samples
 * ({@code jdk.ExecutionSample}), the JVM's identity ({@code jdk.JVMInformation}) and periodic thread dumps
 * ({@code jdk.ThreadDump}). A recording cut short or damaged yields the events before the damage; the problem
 * names the file and the number of events read.
 */
public final class JfrRecording {
    /** Frames kept per stack: enough for the call site and the app frames above it. */
    static final int MAX_FRAMES = 32;

    /** One contended wait: a monitor enter, or a park on a lock. */
    public record Wait(String lockKey, String lockClass, String address, String kind, String thread, long threadId,
                       long startMs, long endMs, long durationNs, List<String> frames) {}

    /** A periodic thread dump's text and when it was taken. */
    public record DumpText(long ts, String text) {}

    public final List<Wait> waits = new ArrayList<>();
    public final List<DumpText> dumps = new ArrayList<>();
    /** CPU samples as collapsed stacks (root first) with their counts. */
    public final Map<String, Long> cpu = new TreeMap<>();
    public long cpuSamples;
    public String jvmName;
    public String jvmVersion;
    public String javaArguments;
    public String jvmArguments;
    public long jvmStartMs;
    public long pid = -1;
    public long firstMs = Long.MAX_VALUE;
    public long lastMs = Long.MIN_VALUE;
    public long events;

    private JfrRecording() {}

    /** True when the bytes start with JFR's magic ({@code FLR\0}). */
    public static boolean isJfr(byte[] head) {
        return head.length >= 4 && head[0] == 'F' && head[1] == 'L' && head[2] == 'R' && head[3] == 0;
    }

    public static JfrRecording read(String file, Path path, Problems problems) {
        JfrRecording r = new JfrRecording();
        try (RecordingFile rf = new RecordingFile(path)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                r.events++;
                try {
                    r.accept(e);
                } catch (RuntimeException ex) {
                    problems.add(file, "event " + r.events + " (" + e.getEventType().getName() + ")",
                            "unreadable, skipped: " + ex);
                }
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // JDK's reader throws IOException for a cut-off chunk and runtime exceptions for garbage in one.
            if (e instanceof java.io.EOFException) {
                // JFR writes a chunk's metadata and constant pools at its end: a cut chunk cannot be decoded at all.
                problems.add(file, "after event " + r.events, "the file is cut short (" + e.getMessage() + "); "
                        + (r.events == 0 ? "its first chunk is incomplete, so nothing in it can be decoded"
                                : "the events of the complete chunks before the cut were read"));
                return r;
            }
            problems.add(file, "after event " + r.events, (r.events == 0
                    ? "not readable as a JFR recording: " : "the rest of the recording could not be read: ") + message(e));
        }
        return r;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }

    private void accept(RecordedEvent e) {
        long end = e.getEndTime().toEpochMilli();
        switch (e.getEventType().getName()) {
            case "jdk.JavaMonitorEnter" -> {
                RecordedClass c = e.getClass("monitorClass");
                wait(e, c == null ? "?" : c.getName(), e.getLong("address"), "monitor");
            }
            case "jdk.ThreadPark" -> {
                RecordedClass c = e.getClass("parkedClass");
                String name = c == null ? null : c.getName();
                // Parks on a lock's synchronizer are lock waits; parks on a Condition, a latch, a queue or a pool
                // worker idling are signal waits, not contention.
                if (name != null && name.contains("Lock") && !name.contains("ConditionObject")) {
                    wait(e, name, e.getLong("address"), "synchronizer");
                }
            }
            case "jdk.ExecutionSample" -> {
                RecordedStackTrace st = e.getStackTrace();
                if (st != null) {
                    List<RecordedFrame> frames = st.getFrames();
                    StringBuilder b = new StringBuilder();
                    for (int i = frames.size() - 1; i >= 0; i--) {
                        if (b.length() > 0) {
                            b.append(';');
                        }
                        RecordedFrame f = frames.get(i);
                        b.append(f.getMethod().getType().getName()).append('.').append(f.getMethod().getName())
                                .append(f.getType().equals("Inlined") ? "_[i]" : f.isJavaFrame() ? "_[j]" : "");
                    }
                    cpu.merge(b.toString().replace(' ', '_'), 1L, Long::sum);
                    cpuSamples++;
                    span(end);
                }
            }
            case "jdk.JVMInformation" -> {
                jvmName = e.getString("jvmName");
                jvmVersion = e.getString("jvmVersion");
                javaArguments = e.getString("javaArguments");
                jvmArguments = e.getString("jvmArguments");
                Instant start = e.getInstant("jvmStartTime");
                jvmStartMs = start == null ? 0 : start.toEpochMilli();
                pid = e.getLong("pid");
            }
            case "jdk.ThreadDump" -> dumps.add(new DumpText(end, e.getString("result")));
            default -> { }
        }
    }

    private void wait(RecordedEvent e, String cls, long address, String kind) {
        RecordedThread t = e.getThread();
        String addr = "0x" + Long.toHexString(address);
        List<String> frames = new ArrayList<>();
        RecordedStackTrace st = e.getStackTrace();
        if (st != null) {
            for (RecordedFrame f : st.getFrames()) {
                if (frames.size() == MAX_FRAMES) {
                    break;
                }
                int line = f.getLineNumber();
                frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName()
                        + (line > 0 ? "(line " + line + ")" : "()"));
            }
        }
        long start = e.getStartTime().toEpochMilli();
        long end = e.getEndTime().toEpochMilli();
        waits.add(new Wait(cls + "@" + addr, cls, addr, kind, t == null ? "?" : t.getJavaName(),
                t == null ? -1 : t.getJavaThreadId(), start, end, e.getDuration().toNanos(), frames));
        span(start);
        span(end);
    }

    private void span(long ms) {
        firstMs = Math.min(firstMs, ms);
        lastMs = Math.max(lastMs, ms);
    }
}
