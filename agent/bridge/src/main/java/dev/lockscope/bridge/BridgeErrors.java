package dev.lockscope.bridge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts throwables that instrumentation swallowed instead of letting them reach application code
 * (the advice is {@code suppress = Throwable.class}; bridge methods catch and count here). The agent reports
 * the count in every sample so a silent failure is visible, and tests assert it stays zero.
 */
public final class BridgeErrors {
    private static final AtomicLong COUNT = new AtomicLong();
    private static volatile String last;

    private BridgeErrors() {}

    public static void record(Throwable t) {
        COUNT.incrementAndGet();
        last = t.getClass().getName();
    }

    public static long count() {
        return COUNT.get();
    }

    /** Class name of the most recent swallowed throwable, or null. */
    public static String last() {
        return last;
    }
}
