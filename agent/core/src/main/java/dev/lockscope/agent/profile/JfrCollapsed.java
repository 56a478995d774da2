package dev.lockscope.agent.profile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Turns a JFR file (written by async-profiler or by the JDK) into collapsed stacks: one line per distinct
 * stack, root first, frames separated by {@code ;}, then a space and the number of samples.
 *
 * <p>Frames carry async-profiler's annotations so the flame graph can colour them: {@code _[j]} JIT-compiled
 * Java, {@code _[i]} inlined, {@code _[0]} interpreted, {@code _[1]} C1-compiled, {@code _[k]} kernel; native
 * and VM frames have none. In lock mode the lock's class, and in alloc mode the allocated class, is the leaf
 * frame (annotated {@code _[i]}, as async-profiler does). With {@code byThread}, {@code [thread name]} is the
 * root frame.
 */
final class JfrCollapsed {
    private JfrCollapsed() {}

    /** Event types read for each profile kind (both engines' names). */
    static Set<String> eventTypes(String event) {
        return switch (event) {
            case "cpu" -> Set.of("jdk.ExecutionSample");
            case "wall" -> Set.of("profiler.WallClockSample", "jdk.ExecutionSample", "jdk.NativeMethodSample");
            case "lock" -> Set.of("jdk.JavaMonitorEnter", "jdk.ThreadPark");
            case "alloc" -> Set.of("jdk.ObjectAllocationInNewTLAB", "jdk.ObjectAllocationOutsideTLAB",
                    "jdk.ObjectAllocationSample");
            default -> Set.of();
        };
    }

    /** The collapsed text and the number of samples in it. */
    record Result(byte[] text, long samples) {}

    static Result convert(Path jfr, ProfileRequest r) throws IOException {
        return convert(jfr, r, e -> true);
    }

    /** As {@link #convert(Path, ProfileRequest)}, keeping only the events {@code keep} accepts (a time window). */
    static Result convert(Path jfr, ProfileRequest r, Predicate<RecordedEvent> keep) throws IOException {
        Set<String> types = eventTypes(r.event());
        long thresholdNs = r.thresholdMs() * 1_000_000L;
        Map<String, long[]> stacks = new HashMap<>();
        long total = 0;
        StringBuilder sb = new StringBuilder(256);
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!types.contains(e.getEventType().getName()) || !keep.test(e)) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null) {
                    continue;
                }
                if (r.event().equals("lock") && e.getDuration().toNanos() < thresholdNs) {
                    continue; // recorded for another JFR recording with a lower threshold
                }
                RecordedThread thread = thread(e);
                String threadName = thread == null ? null : thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
                if (!r.keepsThread(threadName)) {
                    continue;
                }
                if (r.event().equals("lock") && !isLockWait(e, threadName)) {
                    continue;
                }
                long weight = e.hasField("samples") ? Math.max(1, e.getLong("samples")) : 1;
                sb.setLength(0);
                if (r.byThread()) {
                    sb.append('[').append(clean(threadName == null ? "unknown thread" : threadName)).append(']');
                }
                List<RecordedFrame> frames = st.getFrames();
                for (int i = frames.size() - 1; i >= 0; i--) {
                    if (sb.length() > 0) {
                        sb.append(';');
                    }
                    appendFrame(sb, frames.get(i));
                }
                String leaf = leafClass(e, r.event());
                if (leaf != null) {
                    if (sb.length() > 0) {
                        sb.append(';');
                    }
                    sb.append(clean(leaf)).append("_[i]");
                }
                if (sb.length() == 0) {
                    continue;
                }
                stacks.computeIfAbsent(sb.toString(), k -> new long[1])[0] += weight;
                total += weight;
            }
        }
        StringBuilder out = new StringBuilder();
        stacks.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(en -> out.append(en.getKey()).append(' ').append(en.getValue()[0]).append('\n'));
        return new Result(out.toString().getBytes(StandardCharsets.UTF_8), total);
    }

    /**
     * JFR's {@code jdk.ThreadPark} also records parks that wait for no lock ({@code LockSupport.parkNanos}
     * without a blocker: timed sleeps, pollers). Those, and the agent's own threads, are not lock contention.
     */
    private static boolean isLockWait(RecordedEvent e, String threadName) {
        if (threadName != null && threadName.startsWith("lockscope-")) {
            return false;
        }
        return !e.getEventType().getName().equals("jdk.ThreadPark") || e.getValue("parkedClass") != null;
    }

    private static RecordedThread thread(RecordedEvent e) {
        if (e.hasField("sampledThread")) {
            RecordedThread t = e.getValue("sampledThread");
            if (t != null) {
                return t;
            }
        }
        return e.getThread();
    }

    private static String leafClass(RecordedEvent e, String event) {
        String field = switch (event) {
            case "lock" -> e.hasField("monitorClass") ? "monitorClass" : e.hasField("parkedClass") ? "parkedClass" : null;
            case "alloc" -> e.hasField("objectClass") ? "objectClass" : null;
            default -> null;
        };
        if (field == null) {
            return null;
        }
        RecordedClass c = e.getValue(field);
        return c == null ? null : readableClass(c.getName());
    }

    /** {@code [B} → {@code byte[]}, {@code [[Ljava.lang.String;} → {@code java.lang.String[][]}; others unchanged. */
    static String readableClass(String name) {
        int dims = 0;
        while (dims < name.length() && name.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return name;
        }
        String element = name.substring(dims);
        String base = switch (element) {
            case "B" -> "byte";
            case "C" -> "char";
            case "S" -> "short";
            case "I" -> "int";
            case "J" -> "long";
            case "F" -> "float";
            case "D" -> "double";
            case "Z" -> "boolean";
            default -> element.startsWith("L") && element.endsWith(";")
                    ? element.substring(1, element.length() - 1).replace('/', '.') : element;
        };
        return base + "[]".repeat(dims);
    }

    private static void appendFrame(StringBuilder sb, RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        String type = f.getType() == null ? "" : f.getType();
        String cls = m == null || m.getType() == null ? null : m.getType().getName();
        String name = m == null ? "unknown" : m.getName();
        String suffix;
        boolean java;
        switch (type) {
            case "JIT compiled" -> { suffix = "_[j]"; java = true; }
            case "Inlined" -> { suffix = "_[i]"; java = true; }
            case "Interpreted" -> { suffix = "_[0]"; java = true; }
            case "C1 compiled" -> { suffix = "_[1]"; java = true; }
            case "Kernel" -> { suffix = "_[k]"; java = false; }
            // A JDK native method (Unsafe.park) has its class; async-profiler's native frames have the library
            // (libc.so.6, libjvm.so) in its place, which its own graphs leave out.
            case "Native" -> { suffix = ""; java = cls != null && !cls.contains(".so") && !cls.endsWith(".dylib"); }
            default -> { suffix = ""; java = false; }
        }
        if (java && cls != null) {
            sb.append(clean(cls)).append('.').append(clean(name));
        } else {
            sb.append(clean(name)); // native and VM frames: the symbol alone, as async-profiler shows them
        }
        sb.append(suffix);
    }

    /** Frame text must not break the line format: no {@code ;}, no line breaks. */
    static String clean(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ';' || c == '\n' || c == '\r') {
                if (b == null) {
                    b = new StringBuilder(s.substring(0, i));
                }
                b.append(c == ';' ? ':' : ' ');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
