package dev.lockscope.bench;

/**
 * Run inside a benchmark JVM: when the runner started it with the agent ({@code -Dlockscope.bench.agent=true}),
 * waits until the agent's lock instrumentation is live and fails the trial otherwise, so a number measured
 * "with the agent" can never silently be a number measured without it. Reads the bridge reflectively from the
 * bootstrap loader (the benchmarks do not depend on the agent).
 */
public final class AgentCheck {
    private AgentCheck() {}

    public static boolean expected() {
        return Boolean.getBoolean("lockscope.bench.agent");
    }

    /** Blocks until {@code LockBridge.enabled} is true (at most 30 s) when the agent is expected. */
    public static void awaitInstrumentation() {
        if (!expected()) {
            return;
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                Class<?> bridge = Class.forName("dev.lockscope.bridge.LockBridge", true, null);
                if (bridge.getField("enabled").getBoolean(null)) {
                    Thread.sleep(2000); // let the rest of the agent's start (JFR stream, first samples) settle
                    return;
                }
            } catch (ReflectiveOperationException e) {
                // not injected yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("lockscope agent expected but its lock instrumentation is not active");
    }

    /** Waits the bridge recorded since start, or -1 without the agent. */
    public static long recordedWaits() {
        try {
            return (long) Class.forName("dev.lockscope.bridge.LockBridge", true, null).getMethod("recorded").invoke(null);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }
}
