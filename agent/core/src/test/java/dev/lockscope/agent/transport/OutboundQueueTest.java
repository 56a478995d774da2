package dev.lockscope.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        OutboundQueue q = new OutboundQueue(3);
        for (int i = 0; i < 5; i++) {
            q.offer("m" + i);
        }
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.dropped()).isEqualTo(2);
        assertThat(q.poll()).isEqualTo("m0");
        assertThat(q.offer("m5")).isTrue();
    }

    @Test
    void concurrentProducersNeverOverfillIt() throws Exception {
        OutboundQueue q = new OutboundQueue(100);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    q.offer("x");
                }
            });
            producers.add(th);
            th.start();
        }
        for (Thread th : producers) {
            th.join();
        }
        int drained = 0;
        while (q.poll() != null) {
            drained++;
        }
        assertThat(drained).isEqualTo(100);
        assertThat(q.dropped()).isEqualTo(80_000 - 100);
    }

    @Test
    void backoffGrowsWithJitterUpToItsCapAndResets() {
        Backoff b = new Backoff();
        long first = b.nextDelayMillis();
        assertThat(first).isBetween(Backoff.FIRST_MS / 2, Backoff.FIRST_MS);
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = b.nextDelayMillis();
            assertThat(last).isLessThanOrEqualTo(Backoff.MAX_MS);
        }
        assertThat(last).isGreaterThanOrEqualTo(Backoff.MAX_MS / 2);
        b.reset();
        assertThat(b.nextDelayMillis()).isLessThanOrEqualTo(Backoff.FIRST_MS);
    }
}
