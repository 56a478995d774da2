package dev.lockscope.agent.transport;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect delay with jitter: attempt n waits a random time in [d/2, d] where d doubles from
 * {@link #FIRST_MS} up to {@link #MAX_MS}. The jitter keeps a fleet of agents from reconnecting in lockstep
 * after a dashboard restart; the cap bounds how long a restarted dashboard waits for its agents.
 */
public final class Backoff {
    public static final long FIRST_MS = 250;
    public static final long MAX_MS = 5_000;

    private long current = FIRST_MS;

    public long nextDelayMillis() {
        long d = current;
        current = Math.min(MAX_MS, current * 2);
        return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
    }

    public void reset() {
        current = FIRST_MS;
    }
}
