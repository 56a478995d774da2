package dev.lockscope.agent;

import dev.lockscope.protocol.JsonWriter;

/**
 * One capability of the agent (vitals, locks, pools, threads, profiles). Started once on the agent's init
 * thread; a feature that fails to start is reported and skipped, the others go on.
 */
public interface Feature {
    /** Short name used in logs, the hello's feature list and the sample's section key. */
    String name();

    void start(AgentContext ctx) throws Exception;

    /**
     * Called once a second on the sampler thread: write this feature's fields (as {@code name(..).value(..)}
     * pairs) into the sample body. Counters must be cumulative so a dropped sample loses nothing.
     */
    default void writeSample(JsonWriter body) {}

    /**
     * A runtime switch ({@link FeatureSwitches}) changed; a feature acts on the names it owns and ignores the rest.
     * Called on an agent or attach thread, never concurrently with another change or with {@link #stop}. Throwing
     * reports the switch as failed; the feature must then be in a consistent state (either side of the switch).
     */
    default void setSwitch(String name, boolean on) throws Exception {}

    /**
     * Detach: undo everything {@link #start} did (restore instrumented classes, end threads and recordings),
     * waiting a bounded time. The agent is gone afterwards.
     */
    default void stop() {}
}
