package dev.lockscope.agent.locks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockscope.bridge.LockBridge;
import dev.lockscope.bridge.LockWait;
import dev.lockscope.protocol.JsonWriter;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A full lock table makes room by dropping locks that were garbage-collected: an app that creates short-lived
 * contended locks all the time (Jetty's reserved threads each wait on a semaphore of their own) must not crowd
 * out a lock that starts contending later. Waits go through the real bridge, as the advice records them.
 */
class LockTableCapacityTest {
    static final int MAX = 10;

    /** One of the app's short-lived synchronizers. */
    static final class ShortLivedSync {}

    /** The lock that starts contending once the table is full. */
    static final class LateContendedSync {}

    @AfterEach
    void disable() {
        LockBridge.enabled = false;
    }

    private static void feed(LockTable table, Object sync) {
        LockBridge.enabled = true;
        LockBridge.aqsAcquired(sync, false, false, System.nanoTime() - 5_000_000);
        LockWait[] batch = new LockWait[LockBridge.capacity()];
        int n = LockBridge.drain(batch);
        table.addWaits(batch, n);
    }

    @Test
    void aFullTableDropsGarbageCollectedLocksToTrackANewContendedOne() throws Exception {
        LockTable table = new LockTable(MAX, Long.MAX_VALUE);
        WeakReference<Object> probe = null;
        for (int i = 0; i < MAX; i++) {
            Object sync = new ShortLivedSync();
            probe = new WeakReference<>(sync);
            feed(table, sync);
        }
        assertThat(table.trackedLocks()).isEqualTo(MAX);
        for (int i = 0; i < 50 && probe.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(probe.get()).as("the short-lived locks were collected").isNull();
        Thread.sleep(1_100); // eviction scans the table at most once a second

        Object late = new LateContendedSync();
        feed(table, late);

        assertThat(table.droppedLocks).isZero();
        assertThat(table.evictedLocks).isEqualTo(MAX);
        assertThat(table.trackedLocks()).isEqualTo(1);
        JsonWriter w = new JsonWriter().beginObject();
        table.write(w);
        assertThat(w.endObject().toString()).contains(LateContendedSync.class.getName());
    }

    @Test
    void aFullTableOfLiveLocksDropsAndCountsTheNewOne() {
        LockTable table = new LockTable(MAX, Long.MAX_VALUE);
        Object[] live = new Object[MAX];
        for (int i = 0; i < MAX; i++) {
            live[i] = new ShortLivedSync();
            feed(table, live[i]);
        }
        feed(table, new LateContendedSync());
        assertThat(table.droppedLocks).isEqualTo(1);
        assertThat(table.evictedLocks).isZero();
        assertThat(table.trackedLocks()).isEqualTo(MAX);
        assertThat(live).doesNotContainNull();
    }
}
