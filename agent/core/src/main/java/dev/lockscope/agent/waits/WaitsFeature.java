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

/**
 * Where the threads' wall time goes ({@code body.waits}): every {@code waits.interval} (jittered, so a workload
 * with the same period is not always caught in the same phase) one look at all platform threads' states and
 * top frames is credited to their group and, for waits that are not locks, to their wait site
 * ({@link WaitTable}); about once a second each thread's CPU time is added to its group; JFR adds the time the
 * JVM stopped everyone and the lock waiting that overlapped GC pauses ({@link JvmPauses}).
 *
 * <p>Threads: {@code lockscope-waits} samples, {@code lockscope-waits-jfr} runs the JFR stream. The sampling
 * cost is measured on every look and reported ({@code sampleWallNs}, {@code sampleCpuNs}).
 */
public final class WaitsFeature implements Feature {
    /** Frames read per thread: enough to get past the JDK's own frames to the caller that waits. */
    static final int DEPTH = 32;

    private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final WaitTable table = new WaitTable();
    private JvmPauses pauses;
    private long intervalMs;
    private volatile boolean stopped;
    private volatile long costNs;
    private volatile long looks;
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
            AgentContext.startThread("waits", this::sampleLoop);
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

    private void sampleLoop() {
        boolean cpu = mx.isThreadCpuTimeSupported() && enableCpuTime();
        long last = System.nanoTime();
        long nextCpu = 0;
        while (!stopped) {
            try {
                // Uniform in [interval/2, 3·interval/2]: the mean stays the interval, the phase wanders.
                Thread.sleep(ThreadLocalRandom.current().nextLong(intervalMs / 2, intervalMs * 3 / 2 + 1));
            } catch (InterruptedException e) {
                return;
            }
            try {
                long t0 = System.nanoTime();
                // A look credits the time since the previous one; a stalled sampler (suspended process, a long
                // pause) credits at most a few intervals rather than seconds to whatever it sees next.
                long dt = Math.min(t0 - last, intervalMs * 4_000_000L);
                last = t0;
                long[] ids = mx.getAllThreadIds();
                ThreadInfo[] infos = mx.getThreadInfo(ids, DEPTH);
                Classified[] states = new Classified[infos.length];
                for (int i = 0; i < infos.length; i++) {
                    ThreadInfo ti = infos[i];
                    if (ti != null && !ti.getThreadName().startsWith("lockscope-")) {
                        states[i] = ThreadClassifier.classify(ti);
                    }
                }
                table.tick(compact(infos, states), compact(states), dt);
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

    /** Threads that ended between listing and reading come back null: drop them (and their states). */
    private static ThreadInfo[] compact(ThreadInfo[] infos, Classified[] states) {
        int n = 0;
        for (int i = 0; i < infos.length; i++) {
            if (infos[i] != null && states[i] != null) {
                n++;
            }
        }
        ThreadInfo[] out = new ThreadInfo[n];
        for (int i = 0, k = 0; i < infos.length; i++) {
            if (infos[i] != null && states[i] != null) {
                out[k++] = infos[i];
            }
        }
        return out;
    }

    private static Classified[] compact(Classified[] states) {
        int n = 0;
        for (Classified c : states) {
            if (c != null) {
                n++;
            }
        }
        Classified[] out = new Classified[n];
        int k = 0;
        for (Classified c : states) {
            if (c != null) {
                out[k++] = c;
            }
        }
        return out;
    }

    @Override
    public void writeSample(JsonWriter w) {
        w.field("intervalMs", intervalMs).field("looks", looks).field("sampleWallNs", costNs)
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
    }
}
