package dev.lockscope.agent.threads;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.Feature;
import dev.lockscope.agent.FeatureSwitches;
import dev.lockscope.protocol.JsonWriter;
import java.util.Map;

/**
 * Thread dumps on request ({@code threaddump}) and a deadlock watch that reports new cycles by itself
 * ({@code deadlock} events). Nothing is instrumented: everything comes from {@code ThreadMXBean}, the
 * {@code DiagnosticCommand} MBean and, on JDK 21+, {@code HotSpotDiagnosticMXBean.dumpThreads}.
 *
 * <p>Options: {@code deadlockPeriod} (default 500ms; 0 turns the watch off).
 */
public final class ThreadsFeature implements Feature {
    static final long DEFAULT_PERIOD_MS = 500;

    private final CpuTracker cpu = new CpuTracker();
    private final ThreadDumper dumper = new ThreadDumper(cpu);
    private DeadlockWatch watch;
    private Thread watchThread;

    @Override
    public String name() {
        return "threads";
    }

    @Override
    public void start(AgentContext ctx) {
        long period = ctx.options().millis("deadlockPeriod", DEFAULT_PERIOD_MS);
        watch = new DeadlockWatch(dumper, cpu, period, ctx::sendEvent);
        watch.setEnabled(ctx.switches().on(FeatureSwitches.DEADLOCKS));
        ctx.command("threaddump", this::threadDump);
        watchThread = AgentContext.startThread("threads", watch::run);
    }

    /**
     * {@code threaddump} args: {@code format} json (default), text or both; {@code lockedSynchronizers}
     * (default false: collecting them scans the heap at a safepoint, and also turns on {@code -l} for the text).
     */
    private void threadDump(Map<String, Object> args, JsonWriter out) throws Exception {
        String format = String.valueOf(args.getOrDefault("format", "json"));
        boolean json;
        boolean text;
        switch (format) {
            case "json" -> { json = true; text = false; }
            case "text" -> { json = false; text = true; }
            case "both" -> { json = true; text = true; }
            default -> throw new IllegalArgumentException("format must be json, text or both, not '" + format + "'");
        }
        dumper.write(out, json, text, bool(args.get("lockedSynchronizers")));
    }

    /** One dump as the {@code threaddump} command returns it in JSON (without locked synchronizers). */
    public String dumpJson() throws Exception {
        JsonWriter w = new JsonWriter();
        dumper.write(w, true, false, false);
        return w.toString();
    }

    /** The JVM's own text dump, exactly as {@code jcmd <pid> Thread.print} prints it. */
    public String dumpText() throws Exception {
        return ThreadDumper.jstackText(false);
    }

    private static boolean bool(Object v) {
        return Boolean.TRUE.equals(v) || "true".equals(v);
    }

    @Override
    public void writeSample(JsonWriter w) {
        DeadlockWatch d = watch;
        if (d == null) {
            return;
        }
        long checks = d.checks.get();
        w.field("deadlockPeriodMs", d.periodMs())
                .field("deadlockChecks", checks)
                .field("deadlockCheckTotalNs", d.checkTotalNs.get())
                .field("deadlockCheckMaxNs", d.checkMaxNs.get())
                .field("deadlockCyclesDetected", d.cyclesDetected.get())
                .field("deadlockedThreads", d.deadlockedNow)
                .field("timedCyclesIgnored", d.timedCyclesIgnored.get())
                .field("cpuTimeSupported", cpu.supported());
    }

    @Override
    public void setSwitch(String name, boolean on) {
        if (FeatureSwitches.DEADLOCKS.equals(name) && watch != null) {
            watch.setEnabled(on);
        }
    }

    @Override
    public void stop() {
        if (watchThread != null) {
            watchThread.interrupt();
            try {
                watchThread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
