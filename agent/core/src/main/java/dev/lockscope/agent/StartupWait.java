package dev.lockscope.agent;

import dev.lockscope.protocol.JsonWriter;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.BooleanSupplier;

/**
 * Holds the agent's work back until the application's own start-up has passed, so the two do not compete for
 * the CPU. The dashboard connection waits at most {@link #LINK_MAX_MS} (a JVM is to be listed within 5 s of its
 * start; the HttpClient's start alone is a few hundred ms of CPU), the features the whole {@code startupWait}. Installing the instrumentation (Byte Buddy) and starting the JFR streams cost seconds of
 * CPU; on an application with one core, done beside its start-up, they made it ready about 2 s later
 * (docs/PERFORMANCE.md, "Agent start-up and idle cost").
 *
 * <p>"Start-up has passed" is read from the JVM's class-loading count: an application that is starting loads
 * classes continuously, one that is up loads few. The wait ends after {@link #QUIET_POLLS} consecutive polls
 * of {@link #POLL_MS} each in which fewer than {@link #QUIET_CLASSES} classes were loaded, or after
 * {@code startupWait} (default {@link #DEFAULT_MS}) at most. The agent's own threads load no classes meanwhile.
 * The trade: whatever happens before the wait ends (a contended lock, a pool created) is not instrumented.
 * Not used on a dynamic attach: that application is already up.
 *
 * <p>Used by the init thread only; the figures it records are read by the sampler thread (volatile).
 */
final class StartupWait {
    static final String OPTION = "startupWait";
    static final long DEFAULT_MS = 10_000;
    /** The longest the dashboard connection waits, whatever {@code startupWait} says. */
    static final long LINK_MAX_MS = 2_000;
    static final long POLL_MS = 100;
    /** Fewer new classes than this in one poll counts as quiet (a running app still loads the odd class). */
    static final long QUIET_CLASSES = 10;
    static final int QUIET_POLLS = 5;

    private final long maxMs;
    /** Wait state, used by the init thread only. */
    private long startNanos;
    private long lastCount;
    private int quietPolls;
    private long waitedNanos;
    private volatile long waitedMs;
    /** JVM uptime when the wait ended and the agent began starting its features; -1 until then. */
    private volatile long beganAtMs = -1;
    /** JVM uptime when every feature had started (the lock instrumentation may still be installing); -1 until then. */
    private volatile long featuresStartedAtMs = -1;

    StartupWait(AgentOptions options, boolean dynamic) {
        this.maxMs = dynamic ? 0 : Math.max(0, options.millis(OPTION, DEFAULT_MS));
    }

    static void describeOptions(java.util.Map<String, String> known) {
        known.put(OPTION, "longest the agent waits for the application's start-up (its class loading) to settle before "
                + "installing instrumentation and JFR (default 10s; 0 = at once; never on attach)");
    }

    /**
     * Waits for the application's class loading to settle, at most {@code limitMs} after the first call (and never
     * beyond {@code startupWait}), or until {@code stop}. Called again with a later limit, it goes on from where it
     * stopped; once settled, it returns at once.
     */
    void awaitUpTo(long limitMs, BooleanSupplier stop) {
        long limit = Math.min(limitMs, maxMs);
        long entered = System.nanoTime();
        if (startNanos == 0) {
            startNanos = System.nanoTime();
            if (limit > 0) {
                lastCount = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
            }
        }
        ClassLoadingMXBean classes = limit > 0 ? ManagementFactory.getClassLoadingMXBean() : null;
        while (quietPolls < QUIET_POLLS && !stop.getAsBoolean()) {
            long left = limit - (System.nanoTime() - startNanos) / 1_000_000;
            if (left <= 0) {
                break;
            }
            try {
                Thread.sleep(Math.min(POLL_MS, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = classes.getTotalLoadedClassCount();
            quietPolls = now - lastCount < QUIET_CLASSES ? quietPolls + 1 : 0;
            lastCount = now;
        }
        waitedNanos += System.nanoTime() - entered;
    }

    /** Waits as {@link #awaitUpTo} with the full {@code startupWait}, then records when the features begin. */
    void awaitForFeatures(BooleanSupplier stop) {
        awaitUpTo(maxMs, stop);
        waitedMs = waitedNanos / 1_000_000;
        beganAtMs = uptimeMs();
    }

    void featuresStarted() {
        featuresStartedAtMs = uptimeMs();
    }

    /** {@code {"waitedMs":…,"maxMs":…,"beganAtMs":…,"featuresStartedAtMs":…}}, times as JVM uptime. */
    void write(JsonWriter w) {
        w.beginObject()
                .field("waitedMs", waitedMs)
                .field("maxMs", maxMs)
                .field("beganAtMs", beganAtMs)
                .field("featuresStartedAtMs", featuresStartedAtMs)
                .endObject();
    }

    private static long uptimeMs() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }
}
