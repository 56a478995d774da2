package dev.lockscope.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Contends on many distinct locks, each exactly once: a holder thread keeps them all, and the main thread
 * tries each with a short timed {@code tryLock}, which queues on it (the slow path) and times out. Also runs a three-thread pool whose threads
 * are named {@code render-…} and keeps one thread BLOCKED on a monitor for good. Prints {@code READY}, starts
 * after a line on stdin, prints {@code DONE locks=<n>} and stays alive. Args: lock count (default 10000).
 */
public final class ManyContendedLocks {
    private static final Object MONITOR = new Object();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        ReentrantLock[] locks = new ReentrantLock[n];
        for (int i = 0; i < n; i++) {
            locks[i] = new ReentrantLock();
        }
        AtomicInteger threadNo = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(3, 3, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> new Thread(r, "render-" + threadNo.incrementAndGet()));
        Thread holdsMonitor = new Thread(() -> {
            synchronized (MONITOR) {
                sleep(Long.MAX_VALUE);
            }
        }, "holds-monitor");
        holdsMonitor.setDaemon(true);
        holdsMonitor.start();
        System.out.println("READY");
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        Thread blocked = new Thread(() -> {
            synchronized (MONITOR) {
                System.out.println("never");
            }
        }, "blocked-forever");
        blocked.setDaemon(true);
        blocked.start();

        // A holder keeps every lock; one timed tryLock per lock then queues on it (the real slow path), times out
        // and counts as one contended acquisition: no handoffs, so it stays fast on a loaded machine.
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            for (ReentrantLock l : locks) {
                l.lock();
            }
            held.countDown();
            sleep(Long.MAX_VALUE);
        }, "holder");
        holder.setDaemon(true);
        holder.start();
        held.await();
        for (ReentrantLock l : locks) {
            if (l.tryLock(50, TimeUnit.MICROSECONDS)) {
                throw new IllegalStateException("lock was free");
            }
        }
        System.out.println("DONE locks=" + n);
        while (true) {
            pool.execute(() -> sleep(5));
            sleep(50);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
