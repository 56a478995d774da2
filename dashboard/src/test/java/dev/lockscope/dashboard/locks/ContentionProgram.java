package dev.lockscope.dashboard.locks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Ground-truth workloads for the lock tests, run in a child JVM with the agent. Each one measures its own
 * contention (contended acquisitions and their wait, holds and their duration) and prints it as one
 * {@code RESULT key=value ...} line; the test compares that with what the dashboard reports.
 *
 * <p>{@code args[0]} is the workload; it starts after a line "go" arrives on stdin (so the test can wait until
 * the agent's instrumentation and JFR stream are active), then stays alive until killed.
 */
public final class ContentionProgram {
    static final AtomicLong contended = new AtomicLong();
    static final AtomicLong waitNs = new AtomicLong();
    static final AtomicLong holds = new AtomicLong();
    static final AtomicLong holdNs = new AtomicLong();
    static final AtomicLong errors = new AtomicLong();
    static final List<Long> waitList = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int perThread = args.length > 2 ? Integer.parseInt(args[2]) : 170;
        System.out.println("READY " + mode);
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        long t0 = System.nanoTime();
        long guarded = switch (mode) {
            case "reentrant" -> reentrant(threads, perThread, "worker-");
            case "xss" -> reentrant(threads, perThread, "<img src=x onerror=alert(1)>-");
            case "synchronized" -> synchronizedBlock(threads, perThread);
            case "rrwl" -> readWrite(threads, perThread);
            case "bimodal" -> bimodal(perThread);
            case "uncontended" -> uncontended(perThread);
            case "condition" -> conditionReacquire(threads, perThread);
            case "vthreads" -> virtualThreads(threads, perThread);
            default -> throw new IllegalArgumentException(mode);
        };
        long elapsed = System.nanoTime() - t0;
        StringBuilder r = new StringBuilder("RESULT mode=" + mode + " waits=" + contended.get() + " totalWaitNs=" + waitNs.get()
                + " holds=" + holds.get() + " totalHoldNs=" + holdNs.get() + " elapsedNs=" + elapsed
                + " guarded=" + guarded + " errors=" + errors.get());
        if (!waitList.isEmpty()) {
            List<Long> sorted = new ArrayList<>(waitList);
            Collections.sort(sorted);
            r.append(" p50WaitNs=").append(pct(sorted, 50)).append(" p99WaitNs=").append(pct(sorted, 99));
        }
        System.out.println(r);
        Thread.sleep(600_000);
    }

    static long pct(List<Long> sorted, double p) {
        int idx = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    /** Hold durations spread log-uniformly from 1 to 50 ms (mean ≈ 12.5 ms). */
    static long holdNanos() {
        double ms = Math.exp(ThreadLocalRandom.current().nextDouble(Math.log(1), Math.log(50)));
        return (long) (ms * 1_000_000);
    }

    static void sleepNanos(long ns) {
        long end = System.nanoTime() + ns;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** Acquires {@code lock}, counting and timing the acquisition as contended when tryLock failed first. */
    static void acquire(Lock lock) {
        if (lock.tryLock()) {
            return;
        }
        long t = System.nanoTime();
        lock.lock();
        long w = System.nanoTime() - t;
        contended.incrementAndGet();
        waitNs.addAndGet(w);
        waitList.add(w);
    }

    static void runThreads(int n, String prefix, Runnable body) throws InterruptedException {
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    errors.incrementAndGet();
                    e.printStackTrace();
                }
            }, prefix + i);
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    static long reentrant(int threads, int perThread, String prefix) throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        long[] counter = new long[1];
        runThreads(threads, prefix, () -> {
            for (int i = 0; i < perThread; i++) {
                acquire(lock);
                long h0 = System.nanoTime();
                try {
                    counter[0]++;
                    sleepNanos(holdNanos());
                } finally {
                    holdNs.addAndGet(System.nanoTime() - h0);
                    holds.incrementAndGet();
                    lock.unlock();
                }
                sleepNanos(200_000); // think time: lets the queued waiter take the lock (no barging)
            }
        });
        return counter[0];
    }

    static long synchronizedBlock(int threads, int perThread) throws InterruptedException {
        Object monitor = new Object();
        long[] counter = new long[1];
        runThreads(threads, "sync-worker-", () -> {
            for (int i = 0; i < perThread; i++) {
                long t = System.nanoTime();
                synchronized (monitor) {
                    long w = System.nanoTime() - t;
                    if (w >= 1_000_000) { // the agent's default JFR threshold for contended enters
                        contended.incrementAndGet();
                        waitNs.addAndGet(w);
                    }
                    long h0 = System.nanoTime();
                    counter[0]++;
                    sleepNanos(holdNanos());
                    holdNs.addAndGet(System.nanoTime() - h0);
                    holds.incrementAndGet();
                }
                sleepNanos(200_000);
            }
        });
        return counter[0];
    }

    static long readWrite(int threads, int perThread) throws InterruptedException {
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        long[] counter = new long[1];
        runThreads(threads, "rw-worker-", () -> {
            boolean writer = Thread.currentThread().getName().endsWith("0") || Thread.currentThread().getName().endsWith("1")
                    || Thread.currentThread().getName().endsWith("2");
            Lock l = writer ? rw.writeLock() : rw.readLock();
            for (int i = 0; i < perThread; i++) {
                acquire(l);
                try {
                    if (writer) {
                        counter[0]++;
                    }
                    sleepNanos(holdNanos());
                } finally {
                    l.unlock();
                }
                sleepNanos(200_000);
            }
        });
        return counter[0];
    }

    /**
     * One holder alternates short (2 ms, 80 %) and long (30 ms, 20 %) holds; one waiter asks for the lock while
     * it is held, so its waits are bimodal.
     */
    static long bimodal(int rounds) throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        AtomicLong heldRound = new AtomicLong(-1);
        AtomicLong doneRound = new AtomicLong(-1);
        Thread holder = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                lock.lock();
                try {
                    heldRound.set(i);
                    sleepNanos(ThreadLocalRandom.current().nextInt(100) < 80 ? 2_000_000 : 30_000_000);
                } finally {
                    lock.unlock();
                }
                while (doneRound.get() < i) {
                    Thread.onSpinWait();
                }
            }
        }, "bimodal-holder");
        Thread waiter = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                while (heldRound.get() < i) {
                    Thread.onSpinWait();
                }
                acquire(lock);
                lock.unlock();
                doneRound.set(i);
            }
        }, "bimodal-waiter");
        holder.start();
        waiter.start();
        holder.join();
        waiter.join();
        return rounds;
    }

    /** One deliberate contended acquisition of a separate lock, so a test can see the instrumentation is live. */
    static void probe() throws InterruptedException {
        ReentrantLock probe = new ReentrantLock();
        Thread holder = new Thread(() -> {
            probe.lock();
            try {
                sleepNanos(300_000_000);
            } finally {
                probe.unlock();
            }
        }, "probe-holder");
        holder.start();
        while (!probe.isLocked()) {
            Thread.onSpinWait();
        }
        acquire(probe);
        probe.unlock();
        holder.join();
    }

    /**
     * A consumer awaits a {@link Condition}. {@code quick} times the producer signals and lets go: the consumer is
     * woken by the unlock and re-acquires a free lock (no wait). Then {@code held} times the consumer's 5 ms timed
     * await runs out while the producer holds the lock for 20 ms: its re-acquire waits for the unlock. Counted as
     * waits: those re-acquires, each from the end of the timeout to the return from {@code await}.
     */
    static long conditionReacquire(int held, int quick) throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        Condition turn = lock.newCondition();
        boolean[] ready = new boolean[1]; // guarded by lock
        Thread consumer = new Thread(() -> {
            for (int i = 0; i < quick + held; i++) {
                lock.lock();
                try {
                    if (i < quick) {
                        while (!ready[0]) {
                            turn.awaitUninterruptibly();
                        }
                        ready[0] = false;
                    } else {
                        long timeoutEnds = System.nanoTime() + 5_000_000;
                        turn.await(5, TimeUnit.MILLISECONDS);
                        long w = System.nanoTime() - timeoutEnds;
                        contended.incrementAndGet();
                        waitNs.addAndGet(w);
                        waitList.add(w);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    lock.unlock();
                }
            }
        }, "condition-consumer");
        consumer.start();
        for (int i = 0; i < quick + held; i++) {
            while (true) { // act only on a consumer that is already waiting, so every round is one re-acquire
                lock.lock();
                if (lock.hasWaiters(turn)) {
                    break;
                }
                lock.unlock();
                sleepNanos(200_000);
            }
            try {
                if (i < quick) {
                    ready[0] = true;
                    turn.signal();
                } else {
                    long h0 = System.nanoTime();
                    sleepNanos(20_000_000);
                    holdNs.addAndGet(System.nanoTime() - h0);
                    holds.incrementAndGet();
                }
            } finally {
                lock.unlock();
            }
        }
        consumer.join();
        return quick + held;
    }

    static long uncontended(int n) throws InterruptedException {
        probe();
        ReentrantLock lock = new ReentrantLock();
        long c = 0;
        for (int i = 0; i < n * 1000; i++) {
            lock.lock();
            try {
                c++;
            } finally {
                lock.unlock();
            }
        }
        return c;
    }

    static long virtualThreads(int threads, int perThread) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        long[] counter = new long[1];
        ExecutorService ex = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        for (int t = 0; t < threads; t++) {
            ex.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    lock.lock();
                    try {
                        counter[0]++;
                        sleepNanos(20_000);
                    } finally {
                        lock.unlock();
                    }
                }
                return null;
            });
        }
        ex.shutdown();
        if (!ex.awaitTermination(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("virtual threads did not finish");
        }
        return counter[0];
    }
}
