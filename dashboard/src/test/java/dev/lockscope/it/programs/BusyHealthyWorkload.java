package dev.lockscope.it.programs;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Busy but healthy: CPU-heavy threads that take a shared lock very often for very little time, and a pool
 * running at about 70% of its capacity. Nothing here is a problem, so no finding may appear. Arg: CPU threads.
 */
public final class BusyHealthyWorkload {
    public static void main(String[] args) throws Exception {
        int cpuThreads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        ReentrantLock lock = new ReentrantLock();
        Object monitor = new Object();
        AtomicLong counter = new AtomicLong();
        for (int i = 0; i < cpuThreads; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (true) {
                    for (int k = 0; k < 20_000; k++) {
                        x += x * 31 + k; // real computation between acquisitions
                    }
                    lock.lock();
                    try {
                        counter.incrementAndGet();
                    } finally {
                        lock.unlock();
                    }
                    synchronized (monitor) {
                        counter.addAndGet(x & 1);
                    }
                }
            }, "compute-" + i);
            t.setDaemon(true);
            t.start();
        }
        // 4 workers × 10 ms tasks = 400 tasks/s capacity; submit ~280/s.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000),
                new ThreadPoolExecutor.CallerRunsPolicy()); // start-up transient only: the steady state is under capacity
        long next = System.nanoTime();
        while (true) {
            pool.execute(() -> {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            next += 3_570_000;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
    }
}
