package dev.lockscope.agent.threads;

import dev.lockscope.protocol.JsonReader;
import dev.lockscope.protocol.JsonWriter;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.PlatformManagedObject;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.ObjectName;

/**
 * Takes thread dumps in-process: the structured JSON one (from {@link ThreadMXBean#dumpAllThreads}), the
 * JVM's own jstack text (the {@code DiagnosticCommand} MBean's {@code threadPrint}, exactly what
 * {@code jcmd <pid> Thread.print} prints) and, on JDK 21+, virtual threads grouped by stack (from
 * {@code HotSpotDiagnosticMXBean.dumpThreads} in JSON, called reflectively since the agent compiles for 17).
 *
 * <p>Cost: both dumps stop the JVM at a safepoint for a stack walk of every thread. Asking for locked
 * ownable synchronizers ({@code lockedSynchronizers}, {@code -l}) additionally scans the whole heap at that
 * safepoint, so it is off unless the caller asks for it.
 */
final class ThreadDumper {
    /** Read locks, semaphores and latches have no owner thread, so the JVM cannot see cycles through them. */
    static final String OWNERLESS_NOTE = "Read locks (ReentrantReadWriteLock.readLock), Semaphores, CountDownLatches "
            + "and other shared synchronizers have no owner thread: the JVM cannot see a wait cycle through them, "
            + "so such deadlocks are not detected.";
    private static final int MAX_VIRTUAL_GROUPS = 200;
    private static final int MAX_NAMES_PER_GROUP = 20;
    /** Frames kept per thread in JSON (the text dump has them all, up to {@link #MAX_TEXT_CHARS}). */
    static final int MAX_FRAMES = 1024;
    /** Keeps a response well below the dashboard's 32 MB frame limit even with tens of thousands of threads. */
    static final int MAX_TEXT_CHARS = 12_000_000;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final CpuTracker cpu;

    ThreadDumper(CpuTracker cpu) {
        this.cpu = cpu;
    }

    /** The JVM's own text dump; {@code -l} (lockedSynchronizers) adds j.u.c. locks and costs a heap scan. */
    static String jstackText(boolean lockedSynchronizers) throws Exception {
        String[] args = lockedSynchronizers ? new String[] {"-l"} : new String[0];
        Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
                new Object[] {args}, new String[] {String[].class.getName()});
        return String.valueOf(text);
    }

    /**
     * Writes one dump object: {@code ts}, {@code lockedSynchronizers}, {@code threads} (every platform thread),
     * {@code deadlockedThreadIds}, {@code virtualThreads} (JDK 21+), and {@code text} when asked for.
     */
    void write(JsonWriter w, boolean json, boolean text, boolean lockedSynchronizers) throws Exception {
        long ts = System.currentTimeMillis();
        long t0 = System.nanoTime();
        w.beginObject().field("ts", ts).field("lockedSynchronizers", lockedSynchronizers)
                .field("jvmVersion", Runtime.version().toString())
                .field("pid", ProcessHandle.current().pid())
                .field("ownerlessSynchronizersNote", OWNERLESS_NOTE);
        if (json) {
            ThreadInfo[] infos = threads.dumpAllThreads(true, lockedSynchronizers);
            long dumpNs = System.nanoTime() - t0;
            long[] ids = new long[infos.length];
            for (int i = 0; i < infos.length; i++) {
                ids[i] = infos[i].getThreadId();
            }
            CpuTracker.Snapshot now = cpu.read(ids);
            w.field("dumpMs", dumpNs / 1e6).field("cpuWindowMs", cpu.windowMs(now))
                    .field("threadCount", infos.length);
            w.name("threads").beginArray();
            for (ThreadInfo ti : infos) {
                writeThread(w, ti, now, MAX_FRAMES);
            }
            w.endArray();
            long[] deadlocked = threads.findDeadlockedThreads();
            w.name("deadlockedThreadIds").beginArray();
            if (deadlocked != null) {
                for (long id : deadlocked) {
                    w.value(id);
                }
            }
            w.endArray();
            writeVirtualThreads(w, ids);
        }
        if (text) {
            long t1 = System.nanoTime();
            String t = jstackText(lockedSynchronizers);
            if (t.length() > MAX_TEXT_CHARS) {
                t = t.substring(0, MAX_TEXT_CHARS) + "\n... truncated by lockscope: the JVM's dump has " + t.length()
                        + " characters; run jcmd " + ProcessHandle.current().pid() + " Thread.print for all of it\n";
            }
            w.field("text", t);
            w.field("textMs", (System.nanoTime() - t1) / 1e6);
        }
        w.field("totalMs", (System.nanoTime() - t0) / 1e6);
        w.endObject();
    }

    /** One thread as JSON; {@code maxFrames} bounds the stack written. */
    static void writeThread(JsonWriter w, ThreadInfo ti, CpuTracker.Snapshot cpuNow, CpuTracker cpu, int maxFrames) {
        w.beginObject()
                .field("id", ti.getThreadId())
                .field("name", ti.getThreadName())
                .field("state", ti.getThreadState().name())
                .field("daemon", ti.isDaemon())
                .field("priority", ti.getPriority())
                .field("inNative", ti.isInNative())
                .field("suspended", ti.isSuspended())
                .field("blockedCount", ti.getBlockedCount())
                .field("waitedCount", ti.getWaitedCount());
        if (cpuNow != null) {
            Long ns = cpuNow.cpuNsById().get(ti.getThreadId());
            w.field("cpuTimeNs", ns == null ? -1 : ns);
            w.field("recentCpuPercent", cpu.recentPercent(ti.getThreadId(), cpuNow));
        }
        LockInfo lock = ti.getLockInfo();
        if (lock != null) {
            w.name("waitingOn");
            writeLock(w, lock);
            // BLOCKED means entering a monitor; WAITING/TIMED_WAITING on a lock is Object.wait or a parked j.u.c. wait
            w.field("waitKind", ti.getThreadState() == Thread.State.BLOCKED ? "monitor-enter"
                    : isMonitorWait(ti) ? "object-wait" : "park");
        }
        if (ti.getLockOwnerId() >= 0) {
            w.field("lockOwnerId", ti.getLockOwnerId()).field("lockOwnerName", ti.getLockOwnerName());
        }
        StackTraceElement[] stack = ti.getStackTrace();
        w.field("stackDepth", stack.length);
        w.name("frames").beginArray();
        for (int i = 0; i < stack.length && i < maxFrames; i++) {
            w.value(stack[i].toString());
        }
        w.endArray();
        w.name("lockedMonitors").beginArray();
        for (MonitorInfo m : ti.getLockedMonitors()) {
            w.beginObject().field("className", m.getClassName())
                    .field("identityHash", Integer.toHexString(m.getIdentityHashCode()))
                    .field("depth", m.getLockedStackDepth())
                    .field("frame", m.getLockedStackFrame() == null ? null : m.getLockedStackFrame().toString())
                    .endObject();
        }
        w.endArray();
        LockInfo[] syncs = ti.getLockedSynchronizers();
        if (syncs != null && syncs.length > 0) {
            w.name("lockedSynchronizers").beginArray();
            for (LockInfo s : syncs) {
                writeLock(w, s);
            }
            w.endArray();
        }
        w.endObject();
    }

    private void writeThread(JsonWriter w, ThreadInfo ti, CpuTracker.Snapshot now, int maxFrames) {
        writeThread(w, ti, now, cpu, maxFrames);
    }

    private static boolean isMonitorWait(ThreadInfo ti) {
        StackTraceElement[] s = ti.getStackTrace();
        return s.length > 0 && "java.lang.Object".equals(s[0].getClassName()) && s[0].getMethodName().startsWith("wait");
    }

    static void writeLock(JsonWriter w, LockInfo lock) {
        w.beginObject().field("className", lock.getClassName())
                .field("identityHash", Integer.toHexString(lock.getIdentityHashCode())).endObject();
    }

    // ---- virtual threads (JDK 21+) -------------------------------------------------------------------

    /**
     * Virtual threads grouped by identical stack, from the JDK's own JSON thread dump. Writes
     * {@code virtualThreads: {supported:false}} before JDK 21.
     */
    private void writeVirtualThreads(JsonWriter w, long[] platformIds) {
        w.name("virtualThreads").beginObject();
        if (Runtime.version().feature() < 21) {
            w.field("supported", false).field("reason", "virtual threads need JDK 21+").endObject();
            return;
        }
        Path file = null;
        try {
            Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            @SuppressWarnings("unchecked")
            Object bean = ManagementFactory.getPlatformMXBean((Class<PlatformManagedObject>) beanType);
            Class<?> formatType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object jsonFormat = null;
            for (Object c : formatType.getEnumConstants()) {
                if ("JSON".equals(((Enum<?>) c).name())) {
                    jsonFormat = c;
                }
            }
            Method dump = beanType.getMethod("dumpThreads", String.class, formatType);
            Path dir = Files.createTempDirectory("lockscope-threads");
            file = dir.resolve("threads.json");
            dump.invoke(bean, file.toAbsolutePath().toString(), jsonFormat);
            String json = Files.readString(file);
            writeGroups(w, json, platformIds);
            w.field("supported", true);
        } catch (Throwable t) {
            w.field("supported", false).field("reason", String.valueOf(t));
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(file.getParent());
                } catch (Exception ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
        w.endObject();
    }

    @SuppressWarnings("unchecked")
    private static void writeGroups(JsonWriter w, String json, long[] platformIds) {
        Set<String> platform = new HashSet<>();
        for (long id : platformIds) {
            platform.add(Long.toString(id));
        }
        Map<String, Object> root = JsonReader.parseObject(json, Integer.MAX_VALUE);
        Map<String, Object> dump = (Map<String, Object>) root.get("threadDump");
        Map<List<Object>, Group> groups = new LinkedHashMap<>();
        int total = 0;
        for (Object c : (List<Object>) dump.getOrDefault("threadContainers", List.of())) {
            Map<String, Object> container = (Map<String, Object>) c;
            for (Object t : (List<Object>) container.getOrDefault("threads", List.of())) {
                Map<String, Object> th = (Map<String, Object>) t;
                boolean virtual = Boolean.TRUE.equals(th.get("virtual"))
                        || th.get("virtual") == null && !platform.contains(String.valueOf(th.get("tid")));
                if (!virtual) {
                    continue;
                }
                total++;
                List<Object> stack = (List<Object>) th.getOrDefault("stack", List.of());
                Group g = groups.computeIfAbsent(stack, s -> new Group());
                g.count++;
                String state = String.valueOf(th.getOrDefault("state", "UNKNOWN"));
                g.states.merge(state, 1, Integer::sum);
                g.containers.add(String.valueOf(container.get("container")));
                if (g.names.size() < MAX_NAMES_PER_GROUP) {
                    String name = String.valueOf(th.getOrDefault("name", ""));
                    g.names.add(name.isEmpty() ? "#" + th.get("tid") : name);
                }
            }
        }
        List<Map.Entry<List<Object>, Group>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort((a, b) -> Integer.compare(b.getValue().count, a.getValue().count));
        w.field("count", total).field("groupCount", sorted.size());
        w.name("groups").beginArray();
        for (int i = 0; i < sorted.size() && i < MAX_VIRTUAL_GROUPS; i++) {
            Group g = sorted.get(i).getValue();
            w.beginObject().field("count", g.count).field("states", g.states).field("names", g.names)
                    .field("containers", new ArrayList<>(g.containers)).field("frames", sorted.get(i).getKey())
                    .endObject();
        }
        w.endArray();
    }

    private static final class Group {
        int count;
        final Map<String, Integer> states = new LinkedHashMap<>();
        final List<String> names = new ArrayList<>();
        final Set<String> containers = new java.util.LinkedHashSet<>();
    }
}
