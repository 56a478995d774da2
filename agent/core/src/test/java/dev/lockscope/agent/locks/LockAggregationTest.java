package dev.lockscope.agent.locks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockscope.bridge.LockWait;
import org.junit.jupiter.api.Test;

/** The pure parts of the per-lock aggregation: classification, contended-time union, call-site naming. */
class LockAggregationTest {

    private static LockStats stats() {
        return new LockStats("l", "x.Lock", "ReentrantLock", "exclusive", "instrumentation", false, 1, null, 0);
    }

    @Test
    void contendedTimeIsTheUnionOfOverlappingWaitsInAnyOrder() {
        LockStats s = stats();
        s.addContended(0, 10);
        s.addContended(5, 15);   // overlaps the first: +5
        s.addContended(20, 30);  // disjoint: +10
        s.addContended(12, 22);  // bridges both: +5 (15..20)
        s.addContended(1, 29);   // fully covered: +0
        assertThat(s.contendedNs).isEqualTo(30);
        s.addContended(40, 45);
        assertThat(s.contendedNs).isEqualTo(35);
    }

    @Test
    void synchronizersAreClassifiedByClassAndModeWithSignalWaitsKeptApart() {
        assertThat(LockTable.classify("java.util.concurrent.locks.ReentrantLock$NonfairSync", LockWait.MODE_EXCLUSIVE).kind())
                .isEqualTo("ReentrantLock");
        assertThat(LockTable.classify("java.util.concurrent.locks.ReentrantReadWriteLock$FairSync", LockWait.MODE_SHARED))
                .extracting(LockTable.Kind::kind, LockTable.Kind::ownerModel)
                .containsExactly("ReentrantReadWriteLock.read", "none");
        assertThat(LockTable.classify("java.util.concurrent.Semaphore$NonfairSync", LockWait.MODE_SHARED).ownerModel())
                .isEqualTo("none");
        assertThat(LockTable.classify("java.util.concurrent.CountDownLatch$Sync", LockWait.MODE_SHARED).signal()).isTrue();
        assertThat(LockTable.classify("java.util.concurrent.locks.ReentrantLock$NonfairSync", LockWait.MODE_CONDITION).signal())
                .isTrue();
        assertThat(LockTable.classify("java.util.concurrent.locks.StampedLock", LockWait.MODE_STAMPED_WRITE).kind())
                .isEqualTo("StampedLock.write");
    }

    @Test
    void callSiteIsTheFirstFrameOutsideTheLockMachinery() {
        String[] frames = {
            "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire(AbstractQueuedSynchronizer.java:725)",
            "java.util.concurrent.locks.ReentrantLock.lock(ReentrantLock.java:322)",
            "com.shop.PriceCache$Inner.price(PriceCache.java:86)",
            "java.lang.Thread.run(Thread.java:840)",
        };
        assertThat(Stacks.callSite(frames)).isEqualTo("PriceCache$Inner.price:86");
    }

    @Test
    void stackCounterDeduplicatesAndCapsDistinctStacks() {
        Stacks.Counter c = new Stacks.Counter(2);
        c.add(new String[] {"a", "b"}, 10);
        c.add(new String[] {"a", "b"}, 5);
        c.add(new String[] {"c"}, 1);
        c.add(new String[] {"d"}, 100); // a third distinct stack: over the cap
        assertThat(c.top(5)).hasSize(2);
        assertThat(c.top(1).get(0).getValue()).containsExactly(2, 15);
        assertThat(c.overflow).isEqualTo(1);
    }
}
