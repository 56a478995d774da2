package dev.lockscope.agent.waits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lockscope.agent.waits.ThreadClassifier.State;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** What a look without a stack says about real threads that sleep, wait on a future and wait for a lock. */
class StateMemoryTest {
    final StateMemory memory = new StateMemory();

    static Thread.State reach(Thread t, Thread.State state) {
        await().atMost(Duration.ofSeconds(10)).until(() -> t.getState() == state);
        return state;
    }

    static String blocker(Thread t) {
        Object b = LockSupport.getBlocker(t);
        return b == null ? null : b.getClass().getName();
    }

    static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "state-memory-test");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void aThreadNeverReadWhileSleepingIsSleepingNotParked() {
        Thread t = daemon(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // end
            }
        });
        try {
            Thread.State s = reach(t, Thread.State.TIMED_WAITING);
            assertThat(memory.classify(t.getId(), s, blocker(t), null).state()).isEqualTo(State.SLEEP);
        } finally {
            t.interrupt();
        }
    }

    @Test
    void aThreadThatAlternatesBetweenAFutureAndASleepKeepsBothApart() throws Exception {
        CompletableFuture<String> quote = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        Thread t = daemon(() -> {
            quote.join();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                second.join();
            }
        });
        // A stack read while it waits on the future teaches the memory that wait, with its site.
        Thread.State s = reach(t, Thread.State.WAITING);
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {t.getId()}, 32)[0];
        assertThat(memory.classify(t.getId(), s, blocker(t), info).state()).isEqualTo(State.PARKED);

        // Then it sleeps: a look without a stack is not misread as that park.
        quote.complete("q");
        s = reach(t, Thread.State.TIMED_WAITING);
        assertThat(memory.classify(t.getId(), s, blocker(t), null).state()).isEqualTo(State.SLEEP);

        // And back to a future: the remembered park, named at the site the stack read found.
        t.interrupt();
        s = reach(t, Thread.State.WAITING);
        ThreadClassifier.Classified again = memory.classify(t.getId(), s, blocker(t), null);
        assertThat(again.state()).isEqualTo(State.PARKED);
        assertThat(again.site()).startsWith(StateMemoryTest.class.getName());
        second.complete("done");
        t.join(10_000);
    }

    @Test
    void aThreadWaitingForAReentrantLockIsWaitingForALockWithoutAStack() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        Thread t = daemon(lock::lock);
        try {
            Thread.State s = reach(t, Thread.State.WAITING);
            assertThat(memory.classify(t.getId(), s, blocker(t), null).state()).isEqualTo(State.LOCK);
        } finally {
            lock.unlock();
            t.join(10_000);
        }
    }
}
