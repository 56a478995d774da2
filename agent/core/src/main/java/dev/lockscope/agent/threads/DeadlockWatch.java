package dev.lockscope.agent.threads;

import dev.lockscope.bridge.BridgeErrors;
import dev.lockscope.protocol.JsonWriter;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Looks for deadlocks every period with {@link ThreadMXBean#findDeadlockedThreads()} (object monitors and
 * ownable synchronizers such as {@code ReentrantLock} and write locks, cycles of any length). A cycle seen for
 * the first time is reported at once as a {@code deadlock} event with its threads, the lock each holds and the
 * lock each waits for (with the frame where a held monitor was taken) and a thread dump of that moment; a cycle
 * already reported is not reported again while it lasts.
 *
 * <p>Runs on one agent thread; the counters are read by the sampler thread (atomics, point-in-time).
 */
final class DeadlockWatch {
    private static final int MAX_FRAMES_IN_CYCLE = 64;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final ThreadDumper dumper;
    private final CpuTracker cpu;
    private final BiConsumer<String, Consumer<JsonWriter>> events;
    private volatile long periodMs;
    /** The {@code deadlocks} switch: off skips the checks (the CPU readings go on). */
    private volatile boolean enabled = true;
    /** Cycles already reported, by key (sorted thread ids), kept while they last. */
    private final Set<String> reported = new HashSet<>();

    final AtomicLong checks = new AtomicLong();
    final AtomicLong checkTotalNs = new AtomicLong();
    final AtomicLong checkMaxNs = new AtomicLong();
    final AtomicLong cyclesDetected = new AtomicLong();
    final AtomicLong eventsSent = new AtomicLong();
    /** Cycles the JVM reported that contain a timed wait (they resolve by themselves), counted per check. */
    final AtomicLong timedCyclesIgnored = new AtomicLong();
    volatile int deadlockedNow;

    DeadlockWatch(ThreadDumper dumper, CpuTracker cpu, long periodMs, BiConsumer<String, Consumer<JsonWriter>> events) {
        this.dumper = dumper;
        this.cpu = cpu;
        this.periodMs = periodMs;
        this.events = events;
    }

    /** The check period in force, 0 while switched off. */
    long periodMs() {
        return enabled ? periodMs : 0;
    }

    /** Switches the checks on or off; on after a start with period 0 uses the default period. */
    void setEnabled(boolean on) {
        if (on && periodMs <= 0) {
            periodMs = ThreadsFeature.DEFAULT_PERIOD_MS;
        }
        enabled = on;
    }

    /** The watch loop: a deadlock check every period, a CPU reading about every second. */
    void run() {
        try {
            // The platform MBean server starts lazily and its first use costs ~200 ms: pay it now, not at the
            // moment a deadlock's dump is wanted.
            ManagementFactory.getPlatformMBeanServer();
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
        long lastCpu = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long now = System.currentTimeMillis();
            if (now - lastCpu >= 1000) {
                try {
                    cpu.refresh();
                } catch (Throwable t) {
                    BridgeErrors.record(t);
                }
                lastCpu = now;
            }
            long period = periodMs;
            if (enabled && period > 0) {
                try {
                    check();
                } catch (Throwable t) {
                    BridgeErrors.record(t);
                }
            }
            try {
                Thread.sleep(enabled && period > 0 ? Math.min(period, 1000) : 1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One check; sends an event for every cycle not reported before. */
    void check() {
        long t0 = System.nanoTime();
        long[] ids = threads.findDeadlockedThreads();
        long ns = System.nanoTime() - t0;
        checks.incrementAndGet();
        checkTotalNs.addAndGet(ns);
        checkMaxNs.accumulateAndGet(ns, Math::max);
        if (ids == null) {
            deadlockedNow = 0;
            reported.clear();
            return;
        }
        long detectedAt = System.currentTimeMillis();
        ThreadInfo[] infos = threads.getThreadInfo(ids, true, false);
        Map<Long, ThreadInfo> byId = new HashMap<>();
        for (ThreadInfo ti : infos) {
            if (ti != null) {
                byId.put(ti.getThreadId(), ti);
            }
        }
        List<List<ThreadInfo>> cycles = new ArrayList<>();
        Set<Long> inTimedCycles = new HashSet<>();
        for (List<ThreadInfo> c : cycles(byId)) {
            // A cycle with a timed wait in it (tryLock(timeout), a timed park) breaks by itself when the timeout
            // expires: the JVM reports it, but it is not a deadlock.
            if (c.stream().anyMatch(t -> t.getThreadState() == Thread.State.TIMED_WAITING)) {
                timedCyclesIgnored.incrementAndGet();
                c.forEach(t -> inTimedCycles.add(t.getThreadId()));
            } else {
                cycles.add(c);
            }
        }
        deadlockedNow = cycles.stream().mapToInt(List::size).sum();
        Set<String> present = new HashSet<>();
        List<List<ThreadInfo>> fresh = new ArrayList<>();
        for (List<ThreadInfo> c : cycles) {
            String key = key(c);
            present.add(key);
            if (!reported.contains(key)) {
                fresh.add(c);
            }
        }
        reported.retainAll(present);
        if (fresh.isEmpty()) {
            return;
        }
        for (List<ThreadInfo> c : fresh) {
            reported.add(key(c));
        }
        cyclesDetected.addAndGet(fresh.size());
        Set<Long> inCycles = new HashSet<>();
        cycles.forEach(c -> c.forEach(t -> inCycles.add(t.getThreadId())));
        // The dump is taken here, before the event is queued, so it shows the moment of detection.
        JsonWriter dump = new JsonWriter();
        String dumpError = null;
        try {
            dumper.write(dump, true, true, false);
        } catch (Throwable t) {
            dumpError = String.valueOf(t);
        }
        String dumpJson = dumpError == null ? dump.toString() : null;
        String error = dumpError;
        long checkMs = ns / 1_000_000;
        events.accept("deadlock", w -> {
            w.field("detectedAt", detectedAt).field("checkMs", checkMs).field("periodMs", periodMs)
                    .field("note", ThreadDumper.OWNERLESS_NOTE);
            w.name("cycles").beginArray();
            for (List<ThreadInfo> c : fresh) {
                writeCycle(w, c);
            }
            w.endArray();
            w.name("blockedBehind").beginArray();
            for (ThreadInfo ti : byId.values()) {
                if (!inCycles.contains(ti.getThreadId()) && !inTimedCycles.contains(ti.getThreadId())) {
                    w.beginObject().field("id", ti.getThreadId()).field("name", ti.getThreadName())
                            .field("waitingForOwnerId", ti.getLockOwnerId())
                            .field("waitingForOwnerName", ti.getLockOwnerName()).endObject();
                }
            }
            w.endArray();
            if (dumpJson != null) {
                w.name("dump").raw(dumpJson);
            } else {
                w.field("dumpError", error);
            }
        });
        eventsSent.incrementAndGet();
    }

    /**
     * The cycles of the wait-for graph among {@code byId} (each thread waits for at most one owner, so cycles
     * are disjoint), each starting at its lowest thread id and following "waits for a lock owned by".
     */
    static List<List<ThreadInfo>> cycles(Map<Long, ThreadInfo> byId) {
        List<List<ThreadInfo>> out = new ArrayList<>();
        Set<Long> done = new HashSet<>();
        Long[] ids = byId.keySet().toArray(new Long[0]);
        Arrays.sort(ids);
        for (Long start : ids) {
            if (done.contains(start)) {
                continue;
            }
            List<Long> path = new ArrayList<>();
            Set<Long> onPath = new LinkedHashSet<>();
            Long cur = start;
            while (cur != null && byId.containsKey(cur) && !done.contains(cur) && !onPath.contains(cur)) {
                path.add(cur);
                onPath.add(cur);
                long owner = byId.get(cur).getLockOwnerId();
                cur = owner < 0 ? null : owner;
            }
            if (cur != null && onPath.contains(cur)) {
                List<Long> cycle = new ArrayList<>(path.subList(path.indexOf(cur), path.size()));
                // rotate to start at the lowest id, for a stable key and order
                int min = cycle.indexOf(cycle.stream().min(Long::compare).orElseThrow());
                List<ThreadInfo> c = new ArrayList<>();
                for (int i = 0; i < cycle.size(); i++) {
                    c.add(byId.get(cycle.get((min + i) % cycle.size())));
                }
                out.add(c);
            }
            done.addAll(path);
        }
        return out;
    }

    /** The first frame outside the JDK's lock and park machinery: where the application asked for the lock. */
    static String callSite(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (!c.startsWith("java.util.concurrent.locks.") && !c.startsWith("jdk.internal.misc.")
                    && !(c.equals("java.lang.Object") && f.getMethodName().startsWith("wait"))) {
                return f.toString();
            }
        }
        return stack.length > 0 ? stack[0].toString() : null;
    }

    private static String key(List<ThreadInfo> cycle) {
        long[] ids = cycle.stream().mapToLong(ThreadInfo::getThreadId).sorted().toArray();
        return Arrays.toString(ids);
    }

    /**
     * One cycle: for each thread, the lock it waits for (owned by the next thread) and the lock it holds that
     * the previous thread waits for, with the frame where a held monitor was taken.
     */
    private static void writeCycle(JsonWriter w, List<ThreadInfo> c) {
        int n = c.size();
        w.beginObject().field("key", key(c)).field("length", n);
        w.name("threads").beginArray();
        for (int i = 0; i < n; i++) {
            ThreadInfo ti = c.get(i);
            ThreadInfo prev = c.get((i - 1 + n) % n);
            w.beginObject().field("id", ti.getThreadId()).field("name", ti.getThreadName())
                    .field("state", ti.getThreadState().name());
            LockInfo waits = ti.getLockInfo();
            w.name("waitingFor");
            writeLock(w, waits, ti.getThreadState() == Thread.State.BLOCKED);
            w.field("waitingForOwnerId", ti.getLockOwnerId()).field("waitingForOwnerName", ti.getLockOwnerName());
            StackTraceElement[] stack = ti.getStackTrace();
            w.field("waitingAt", callSite(stack));
            // What this thread holds that the previous one waits for.
            LockInfo held = prev.getLockInfo();
            boolean heldIsMonitor = prev.getThreadState() == Thread.State.BLOCKED;
            w.name("holds");
            writeLock(w, held, heldIsMonitor);
            if (held != null && heldIsMonitor) {
                for (MonitorInfo m : ti.getLockedMonitors()) {
                    if (m.getIdentityHashCode() == held.getIdentityHashCode()
                            && m.getClassName().equals(held.getClassName())) {
                        w.field("holdsTakenAt", m.getLockedStackFrame() == null ? null : m.getLockedStackFrame().toString())
                                .field("holdsTakenAtDepth", m.getLockedStackDepth());
                        break;
                    }
                }
            }
            w.name("frames").beginArray();
            for (int f = 0; f < stack.length && f < MAX_FRAMES_IN_CYCLE; f++) {
                w.value(stack[f].toString());
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }

    private static void writeLock(JsonWriter w, LockInfo lock, boolean monitor) {
        if (lock == null) {
            w.nullValue();
            return;
        }
        w.beginObject().field("className", lock.getClassName())
                .field("identityHash", Integer.toHexString(lock.getIdentityHashCode()))
                .field("kind", monitor ? "monitor" : "synchronizer").endObject();
    }
}
