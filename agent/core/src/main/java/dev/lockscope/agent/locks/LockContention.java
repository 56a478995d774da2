package dev.lockscope.agent.locks;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.AgentOptions;
import dev.lockscope.agent.Feature;
import dev.lockscope.agent.FeatureSwitches;
import dev.lockscope.bridge.LockBridge;
import dev.lockscope.bridge.LockWait;
import dev.lockscope.protocol.JsonWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live lock contention: j.u.c. synchronizers through Byte Buddy ({@link LockInstrumentation}),
 * {@code synchronized} through JFR ({@link MonitorStream}), the live picture of who waits and who owns through
 * thread sampling ({@link LiveLocks}), all aggregated per lock in a {@link LockTable} and written once a second
 * as {@code body.locks} with cumulative counters. Waits longer than {@code locks.longWait} also go out as
 * {@code lock-wait} events with the waiter's stack.
 *
 * <p>Threads: {@code lockscope-locks} drains the bridge's ring every 100 ms and samples threads;
 * {@code lockscope-locks-jfr} runs the JFR stream. Both are agent threads, which the advice ignores.
 */
public final class LockContention implements Feature {
    static final long DRAIN_MS = 100;
    /** Stacks the application threads may capture per drain interval (200 per second). */
    static final long STACKS_PER_DRAIN = 20;
    /** Long-wait events per drain interval at most; the rest are counted as dropped. */
    static final int EVENTS_PER_DRAIN = 10;

    private AgentContext ctx;
    private volatile LockInstrumentation instrumentation;
    private LockTable table;
    private MonitorStream monitors;
    private final LiveLocks live = new LiveLocks();
    private volatile boolean stopped;
    private Thread drainThread;
    private Thread jfrThread;
    /** Serialises installing and removing the instrumentation (init thread vs a runtime switch vs detach). */
    private final Object installLock = new Object();
    /** Serialises starting and stopping the JFR stream. */
    private final Object jfrLock = new Object();
    private volatile boolean instrument;
    private volatile boolean jfr;
    private long monitorThresholdMs;
    private long waitThresholdMs;
    private long parkThresholdMs;
    private long longWaitMs;
    private long stackMinWaitMs;
    private long liveIntervalMs;
    private int maxLocks;
    private volatile long longWaitEvents;
    private volatile long droppedEvents;
    private volatile String installError;

    /** The option keys this feature reads, with their meaning and default (listed in {@code AgentOptions}). */
    public static void describeOptions(Map<String, String> known) {
        known.put("locks.instrument", "instrument java.util.concurrent lock slow paths (default true; false = JFR ThreadPark fallback)");
        known.put("locks.jfr", "JFR stream for synchronized monitors (default true)");
        known.put("locks.monitorThreshold", "shortest contended synchronized enter recorded (default 1ms)");
        known.put("locks.waitThreshold", "shortest Object.wait recorded as a signal wait (default 10ms)");
        known.put("locks.parkThreshold", "shortest park recorded by the ThreadPark fallback (default 1ms)");
        known.put("locks.longWait", "waits at least this long are sent as lock-wait events with a stack (default 100ms)");
        known.put("locks.stackMinWait", "shortest j.u.c. wait whose stack may be captured (default 1ms)");
        known.put("locks.maxLocks", "most locks tracked at once (default 1000)");
        known.put("locks.liveInterval", "how often blocked threads and owners are sampled (default 500ms)");
    }

    @Override
    public String name() {
        return "locks";
    }

    @Override
    public void start(AgentContext ctx) throws Exception {
        this.ctx = ctx;
        AgentOptions o = ctx.options();
        instrument = ctx.switches().on(FeatureSwitches.LOCKS);
        jfr = ctx.switches().on(FeatureSwitches.JFR);
        monitorThresholdMs = o.millis("locks.monitorThreshold", 1);
        waitThresholdMs = o.millis("locks.waitThreshold", 10);
        parkThresholdMs = o.millis("locks.parkThreshold", 1);
        longWaitMs = o.millis("locks.longWait", 100);
        stackMinWaitMs = o.millis("locks.stackMinWait", 1);
        liveIntervalMs = Math.max(100, o.millis("locks.liveInterval", 500));
        maxLocks = (int) Math.max(10, o.number("locks.maxLocks", 1000));
        table = new LockTable(maxLocks, longWaitMs * 1_000_000);

        // Everything the bridge's hot path touches is loaded now, never from inside a lock's slow path.
        Class.forName(LockWait.class.getName(), true, null);
        LockBridge.drain(new LockWait[LockBridge.capacity()]);
        new Throwable().getStackTrace();
        LockBridge.stackMinNanos = stackMinWaitMs * 1_000_000;
        LockBridge.alwaysStackNanos = longWaitMs * 1_000_000;
        LockBridge.faultInjection = Boolean.getBoolean("lockscope.test.lockBridgeThrows");
        LockBridge.refillStackBudget(STACKS_PER_DRAIN);
        LockBridge.shedStacks = false; // a previous agent's governor may have left them (bridge statics outlive it)
        LockBridge.minRecordNanos = 0;

        // Installing (Byte Buddy's start, about a second of CPU) happens on the feature's own thread, so the
        // dashboard connection and the first samples are not held up by it.
        drainThread = AgentContext.startThread("locks", () -> {
            reconcileInstrumentation();
            drainLoop();
        });
        reconcileMonitors();
    }

    /** Runtime switches: {@code locks} adds or removes the instrumentation, {@code jfr} the monitor stream. */
    @Override
    public void setSwitch(String name, boolean on) {
        if (FeatureSwitches.LOCKS.equals(name)) {
            instrument = on;
            reconcileInstrumentation();
            reconcileMonitors(); // the ThreadPark fallback is on exactly while the instrumentation is off
        } else if (FeatureSwitches.JFR.equals(name)) {
            jfr = on;
            reconcileMonitors();
        }
    }

    /** Installs or removes the j.u.c. advice so that it is in place exactly when wanted and not stopped. */
    private void reconcileInstrumentation() {
        synchronized (installLock) {
            boolean wanted = instrument && !stopped;
            LockInstrumentation li = instrumentation;
            if (wanted && li == null) {
                li = new LockInstrumentation();
                try {
                    li.install(ctx.instrumentation());
                    installError = null;
                    LockBridge.enabled = true;
                } catch (Throwable t) {
                    installError = t.toString();
                }
                instrumentation = li;
            } else if (!wanted && li != null) {
                LockBridge.enabled = false;
                ctx.governor().reset();
                li.uninstall(ctx.instrumentation());
                instrumentation = null;
            }
        }
    }

    /** (Re)starts the JFR stream with the current settings, or stops it. */
    private void reconcileMonitors() {
        synchronized (jfrLock) {
            MonitorStream m = monitors;
            if (m != null) {
                m.stop();
                joinQuietly(jfrThread);
                monitors = null;
            }
            if (jfr && !stopped) {
                m = new MonitorStream(table, monitorThresholdMs, waitThresholdMs, parkThresholdMs, !instrument,
                        this::longWait);
                monitors = m;
                jfrThread = AgentContext.startThread("locks-jfr", m::run);
            }
        }
    }

    private void drainLoop() {
        LockWait[] buf = new LockWait[LockBridge.capacity()];
        long nextGovern = System.currentTimeMillis() + 1000;
        long offeredBefore = offered();
        long nextLive = 0;
        long nextPrune = System.currentTimeMillis() + 60_000;
        while (!stopped) {
            try {
                int n = LockBridge.drain(buf);
                LockBridge.refillStackBudget(STACKS_PER_DRAIN);
                if (n > 0) {
                    List<LockTable.LongWait> lw = table.addWaits(buf, n);
                    int sent = 0;
                    for (LockTable.LongWait w : lw) {
                        if (sent++ < EVENTS_PER_DRAIN) {
                            longWait(w);
                        } else {
                            droppedEvents++;
                        }
                    }
                }
                long now = System.currentTimeMillis();
                if (now >= nextGovern) {
                    long offered = offered();
                    long perSec = (offered - offeredBefore) * 1000 / Math.max(1, now - nextGovern + 1000);
                    offeredBefore = offered;
                    nextGovern = now + 1000;
                    ctx.governor().tick(perSec, now);
                }
                if (now >= nextLive) {
                    nextLive = now + liveIntervalMs;
                    Map<Long, String[]> ownerStacks = new HashMap<>();
                    List<LiveLocks.Blocked> blocked = live.sample(ownerStacks);
                    table.applyLive(blocked, ownerStacks);
                }
                if (now >= nextPrune) {
                    nextPrune = now + 60_000;
                    table.prune();
                }
            } catch (Throwable t) {
                dev.lockscope.bridge.BridgeErrors.record(t);
            }
            try {
                Thread.sleep(DRAIN_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits that reached the bridge: recorded, dropped (ring full) or shed (governor). */
    private static long offered() {
        return LockBridge.recorded() + LockBridge.dropped() + LockBridge.shed();
    }

    private void longWait(LockTable.LongWait w) {
        longWaitEvents++;
        boolean queued = ctx.sendEvent("lock-wait", b -> {
            b.field("lockId", w.lock().id).field("name", w.lock().name).field("kind", w.lock().kind)
                    .field("class", w.lock().className).field("thread", w.thread()).field("threadId", w.threadId())
                    .field("waitNs", w.waitNs()).field("endMs", w.endMs());
            if (w.frames() != null) {
                b.field("stack", w.frames());
            }
        });
        if (!queued) {
            droppedEvents++;
        }
    }

    @Override
    public void writeSample(JsonWriter w) {
        LockInstrumentation inst = instrumentation;
        w.name("instrumentation").beginObject()
                .field("enabled", instrument && LockBridge.enabled)
                .field("instrumentedClasses", inst == null ? 0 : inst.instrumented.get())
                .field("targetClasses", instrument ? List.of(LockInstrumentation.AQS, LockInstrumentation.AQLS, LockInstrumentation.STAMPED) : List.of())
                .field("transformErrors", inst == null ? 0 : inst.errors.get())
                .field("lastTransformError", inst == null ? installError : inst.lastError != null ? inst.lastError : installError)
                .field("recordedWaits", LockBridge.recorded())
                .field("droppedWaits", LockBridge.dropped())
                .endObject();
        MonitorStream m = monitors;
        w.name("jfr").beginObject()
                .field("enabled", jfr).field("running", m != null && m.running).field("error", m == null ? null : m.error)
                .field("monitorEnterEvents", table.monitorEvents).field("parkEvents", table.parkEvents)
                .field("monitorWaitEvents", table.monitorWaitEvents)
                .endObject();
        w.name("coverage").beginObject()
                .field("instrumentation", instrument && LockBridge.enabled)
                .field("jfrMonitors", jfr)
                .field("jfrParkFallback", jfr && !instrument)
                .field("monitorEnterThresholdMs", monitorThresholdMs)
                .field("monitorWaitThresholdMs", waitThresholdMs)
                .field("parkThresholdMs", jfr && !instrument ? parkThresholdMs : 0)
                .field("instrumentedThresholdMs", ctx.governor().thresholdMs())
                .field("shedWaits", LockBridge.shed())
                .field("longWaitThresholdMs", longWaitMs)
                .field("stackMinWaitMs", stackMinWaitMs)
                .field("stacksPerSecond", STACKS_PER_DRAIN * 1000 / DRAIN_MS)
                .field("liveIntervalMs", liveIntervalMs)
                .field("maxLocks", maxLocks)
                .field("trackedLocks", table.trackedLocks())
                .field("droppedLocks", table.droppedLocks).field("evictedLocks", table.evictedLocks)
                .field("droppedLockWaits", table.droppedLockWaits)
                .field("droppedWaits", LockBridge.dropped())
                .field("longWaitEvents", longWaitEvents)
                .field("droppedEvents", droppedEvents)
                .field("liveSamples", table.liveSamples)
                .field("holdTimeEstimator", "handoff")
                .endObject();
        table.write(w);
    }

    /**
     * Detach: the advice goes quiet, the drain thread finishes (waiting out an install in progress, so nothing is
     * installed after this), the instrumented JDK classes are retransformed back to their original bytes and the
     * JFR stream is closed.
     */
    @Override
    public void stop() {
        stopped = true;
        LockBridge.enabled = false;
        joinQuietly(drainThread);
        reconcileInstrumentation();
        reconcileMonitors();
    }

    /** No interrupt: Byte Buddy may be reading class files through interruptible channels mid-install. */
    private static void joinQuietly(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
