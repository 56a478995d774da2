package dev.lockscope.it.programs;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A steady application for throughput comparisons: worker threads take a shared lock, do a little work and
 * pause 1 ms, printing {@code ops=<n>} once a second. Paced by sleeps, so its rate is stable on a busy machine
 * and drops only if something (the agent) makes its threads wait. Args: thread count (default 4), and how
 * long each op holds the lock in ms (default 0; 1 or more makes every other thread wait, a steady stream of
 * contention for the agent to report).
 */
public final class PacedWorkload {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        long holdMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
        ReentrantLock lock = new ReentrantLock();
        AtomicLong ops = new AtomicLong();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (true) {
                    lock.lock();
                    try {
                        x += System.nanoTime() % 7;
                        if (holdMs > 0) {
                            Thread.sleep(holdMs);
                        }
                    } catch (InterruptedException e) {
                        return;
                    } finally {
                        lock.unlock();
                    }
                    ops.incrementAndGet();
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "paced-" + i);
            t.setDaemon(true);
            t.start();
        }
        long last = 0;
        while (true) {
            Thread.sleep(1000);
            long now = ops.get();
            System.out.println("ops=" + (now - last));
            last = now;
        }
    }
}
