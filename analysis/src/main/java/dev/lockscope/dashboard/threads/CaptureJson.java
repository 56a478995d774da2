package dev.lockscope.dashboard.threads;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON views of captures that the dashboard's routes serve, for code outside this package (the report). */
public final class CaptureJson {
    private CaptureJson() {}

    /** Identity, time, trigger and thread counts by state. */
    public static ObjectNode summary(ThreadCaptures.Capture c) {
        return ThreadCaptures.summary(c);
    }

    /** The full dump plus id, jvmId and trigger. */
    public static ObjectNode full(ThreadCaptures.Capture c) {
        return ThreadCaptures.full(c);
    }

    /** Threads stuck in the same frame and state in both captures. */
    public static ObjectNode compare(ThreadCaptures.Capture a, ThreadCaptures.Capture b) {
        return ThreadCaptures.compare(a, b);
    }

    public static ObjectNode deadlock(ThreadCaptures.Deadlock d) {
        return ThreadCaptures.deadlockJson(d);
    }
}
