package dev.lockscope.agent.waits;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.AgentOptions;
import dev.lockscope.agent.FeatureSwitches;
import dev.lockscope.agent.Feature;
import dev.lockscope.agent.waits.ThreadClassifier.Classified;
import dev.lockscope.bridge.BridgeErrors;
import dev.lockscope.protocol.JsonWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Where the threads' wall time goes ({@code body.waits}): every {@code waits.interval} (jittered, so a workload
 * with the same period is not always caught in the same phase) one look at all platform threads' states and
 * top frames; the interval is credited to each thread's group and, for waits that are not locks, to their wait site
 * ({@link WaitTable}); about once a second each thread's CPU time is added to its group; JFR adds the time the
 * JVM stopped everyone and the lock waiting that overlapped GC pauses ({@link JvmPauses}).
 *
 * <p>Threads: {@code lockscope-waits} samples, {@code lockscope-waits-jfr} runs the JFR stream. The sampling
 * cost is measured on every look and reported ({@code sampleWallNs}, {@code sampleCpuNs}).
 */
public final class WaitsFeature implements Feature {
    /** Frames read per thread: enough to get past the JDK's own frames to the caller that waits. */
    static final int DEPTH = 32;
    /** How often a look also reads stacks (a safepoint); the looks between reuse what the last stacks said. */
    static final long STACKS_EVERY_NS = 2_000_000_000L;
    /**
     * Looks skipped after a stack read. Its safepoint holds back every thread whose sleep or park ends meanwhile,
     * and releases them together: right after it, more threads run than usual. On a machine short of CPU (few looks
     * per second) crediting that moment overstated "running" by 10 points of a 50 % share.
     */
    static final long QUIET_NS = 100_000_000L;
    /**
     * Shortest time between extra stack reads of only the threads the memory knows nothing about in their current
     * state (a thread that just started, or waits in a new way): without them such a thread would be credited as
     * "running" or "parked" by default until the next full read, up to 3 s later. Bounded for apps that start
     * threads all the time.
     */
    static final long NEW_STACKS_EVERY_NS = 500_000_000L;

    private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final WaitTable table = new WaitTable();
    private final StateMemory memory = new StateMemory();
    private JvmPauses pauses;
    private Thread sampler;
    private long intervalMs;
    private volatile boolean stopped;
    private volatile long costNs;
    private volatile long looks;
    private volatile long dumps;
    /** CPU time of the sampling thread so far: the agent's own cost of this feature (wall time includes waiting for a core). */
    private volatile long cpuCostNs;

    public static void describeOptions(Map<String, String> known) {
        known.put("waits.interval", "mean period of the thread-state sampling behind the time breakdown (default 100ms; 0 = off)");
        known.put("waits.gcOverlapThreshold", "shortest lock wait matched against GC pauses (default 5ms)");
    }

    @Override
    public String name() {
        return "waits";
    }

    @Override
    public void start(AgentContext ctx) {
        AgentOptions o = ctx.options();
        intervalMs = o.millis("waits.interval", 100);
        if (intervalMs > 0) {
            intervalMs = Math.max(10, intervalMs);
            sampler = AgentContext.startThread("waits", this::sampleLoop);
        }
        pauses = new JvmPauses(Math.max(1, o.millis("waits.gcOverlapThreshold", 5)));
        if (ctx.switches().on(FeatureSwitches.JFR)) {
            pauses.start();
        }
    }

    /** The {@code jfr} switch stops and restarts the pause stream; its counters carry on (serialised by the runtime). */
    @Override
    public void setSwitch(String name, boolean on) {
        JvmPauses p = pauses;
        if (!FeatureSwitches.JFR.equals(name) || p == null) {
            return;
        }
        if (on && !p.running) {
            p.start();
        } else if (!on) {
            p.stop();
        }
    }

    /**
     * Looks happen on a schedule of their own (each interval drawn before it starts, uniform in [½, 1½]× the mean)
     * and each is weighted by its planned interval, never by the time it took: on a machine short of CPU a look
     * that finds threads running waits longer for them to reach the safepoint, and weighting by measured time
     * would credit that extra time to "running".
     */
    private void sampleLoop() {
        boolean cpu = mx.isThreadCpuTimeSupported() && enableCpuTime();
        long next = System.nanoTime();
        long nextCpu = 0;
        long nextStacks = 0;
        long nextNewStacks = 0;
        long quietUntil = 0;
        while (!stopped) {
            long interval = ThreadLocalRandom.current().nextLong(intervalMs * 500_000, intervalMs * 1_500_000 + 1);
            next += interval;
            long wait = next - System.nanoTime();
            if (wait < 0) {
                // Behind (the previous look's safepoint, a starved sampler): never burst to catch up, which
                // would sample the moment right after a stall many times; wait a fresh interval instead.
                next = System.nanoTime() + interval;
                wait = interval;
            }
            try {
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                long t0 = System.nanoTime();
                // States at the moment of the look, read from each Thread without stopping anyone. Stacks need a
                // safepoint (every thread stopped, for as long as the slowest takes to get there: tens of ms on a
                // loaded machine), so they are read only every STACKS_EVERY_NS.
                Thread[] threads = liveThreads();
                int n = threads.length;
                long[] ids = new long[n];
                String[] names = new String[n];
                Thread.State[] seen = new Thread.State[n];
                String[] blockers = new String[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = threads[i].getId();
                    names[i] = threads[i].getName();
                    seen[i] = threads[i].getState();
                    blockers[i] = blockerOf(threads[i], seen[i]);
                }
                if (t0 < quietUntil) {
                    continue; // just after a stack read: see the comment on QUIET_NS
                }
                ThreadInfo[] infos = null;
                if (t0 >= nextStacks) {
                    // Jittered like the looks: a fixed period phase-locks with periodic workloads and would keep
                    // reading the same moment of their cycle.
                    nextStacks = t0 + ThreadLocalRandom.current().nextLong(STACKS_EVERY_NS / 2, STACKS_EVERY_NS * 3 / 2 + 1);
                    infos = mx.getThreadInfo(ids, DEPTH);
                    dumps++;
                    quietUntil = System.nanoTime() + Math.max(QUIET_NS, 2 * interval);
                } else if (t0 >= nextNewStacks) {
                    infos = unknownStacks(ids, names, seen, blockers);
                    if (infos != null) {
                        nextNewStacks = t0 + NEW_STACKS_EVERY_NS;
                        dumps++;
                        quietUntil = System.nanoTime() + Math.max(QUIET_NS, 2 * interval);
                    }
                }
                Classified[] states = new Classified[n];
                StackTraceElement[][] stacks = new StackTraceElement[n][];
                for (int i = 0; i < n; i++) {
                    if (names[i].startsWith("lockscope-")) {
                        continue;
                    }
                    ThreadInfo ti = infos == null ? null : infos[i];
                    states[i] = memory.classify(ids[i], seen[i], blockers[i], ti);
                    stacks[i] = ti == null ? null : ti.getStackTrace();
                }
                table.tick(ids, names, states, stacks, interval);
                memory.retain(ids);
                if (cpu && t0 >= nextCpu) {
                    nextCpu = t0 + 1_000_000_000L;
                    table.addCpu(ids, mx.getThreadCpuTime(ids));
                }
                costNs += System.nanoTime() - t0;
                cpuCostNs = cpu ? mx.getCurrentThreadCpuTime() : -1;
                looks++;
            } catch (Throwable t) {
                BridgeErrors.record(t);
            }
        }
    }

    /** Stacks of the threads whose state the memory has not seen yet (others null), or null when there are none. */
    private ThreadInfo[] unknownStacks(long[] ids, String[] names, Thread.State[] seen, String[] blockers) {
        int[] unknown = new int[ids.length];
        int n = 0;
        for (int i = 0; i < ids.length; i++) {
            if (!names[i].startsWith("lockscope-") && !memory.knows(ids[i], seen[i], blockers[i])) {
                unknown[n++] = i;
            }
        }
        if (n == 0) {
            return null;
        }
        long[] subset = new long[n];
        for (int k = 0; k < n; k++) {
            subset[k] = ids[unknown[k]];
        }
        ThreadInfo[] read = mx.getThreadInfo(subset, DEPTH);
        ThreadInfo[] infos = new ThreadInfo[ids.length];
        for (int k = 0; k < n; k++) {
            infos[unknown[k]] = read[k];
        }
        return infos;
    }

    /** Class of what a waiting thread is parked on (a plain field read, no safepoint), or null. */
    private static String blockerOf(Thread t, Thread.State state) {
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return null;
        }
        Object b = LockSupport.getBlocker(t);
        return b == null ? null : b.getClass().getName();
    }

    /** The platform threads alive now, from the root thread group (no safepoint, unlike a thread dump). */
    private static Thread[] liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() * 2 + 16];
        int n = root.enumerate(all, true);
        return java.util.Arrays.copyOf(all, n);
    }

    private boolean enableCpuTime() {
        try {
            if (!mx.isThreadCpuTimeEnabled()) {
                mx.setThreadCpuTimeEnabled(true);
            }
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    @Override
    public void writeSample(JsonWriter w) {
        w.field("intervalMs", intervalMs).field("looks", looks).field("stackReads", dumps).field("sampleWallNs", costNs)
                .field("sampleCpuNs", cpuCostNs);
        table.write(w);
        JvmPauses p = pauses;
        if (p != null) {
            p.write(w);
        }
    }

    @Override
    public void stop() {
        stopped = true;
        if (pauses != null) {
            pauses.stop();
        }
        Thread s = sampler;
        if (s != null) { // a detach leaves no agent thread behind
            s.interrupt();
            try {
                s.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
