package dev.lockscope.samples;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An order service whose producers submit work faster than its fixed pool drains it. Broken: an unbounded
 * queue, so depth and task wait grow without bound. Fixed: a bounded queue whose overflow runs on the
 * submitting thread (caller-runs), so producers slow down to the pool's pace and latency stays flat.
 */
final class SaturatedPool implements Sample {
    private final int workers;
    private final int producers;
    private final int ratePerSec;
    private final long taskMs;
    private final int queueBound;
    private final boolean fixed;
    private final ThreadPoolExecutor pool;
    private final LatencyRecorder wait = new LatencyRecorder();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong callerRuns = new AtomicLong();

    SaturatedPool(SampleOptions o) {
        workers = o.intValue("workers", 4, 1);
        producers = o.intValue("producers", 2, 1);
        ratePerSec = o.intValue("rate", 200, 1);
        taskMs = o.longValue("task", 25);
        queueBound = o.intValue("queue", 20, 1);
        fixed = o.fixed();
        BlockingQueue<Runnable> queue = fixed ? new ArrayBlockingQueue<>(queueBound) : new LinkedBlockingQueue<>();
        pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, queue, named("orders-worker"),
                fixed ? new ThreadPoolExecutor.CallerRunsPolicy() {
                    @Override
                    public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
                        callerRuns.incrementAndGet();
                        super.rejectedExecution(task, executor); // backpressure: the producer runs it and slows down
                    }
                } : new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public String describe() {
        return producers + " producers at " + ratePerSec + " tasks/s in total, " + workers + " workers, task "
                + taskMs + "ms (capacity " + (taskMs == 0 ? "unbounded" : workers * 1000 / taskMs + " tasks/s") + "), "
                + (fixed ? "bounded queue of " + queueBound + " with caller-runs" : "unbounded queue");
    }

    @Override
    public void start() {
        long intervalNanos = 1_000_000_000L * producers / ratePerSec;
        for (int i = 0; i < producers; i++) {
            Thread t = new Thread(() -> produce(intervalNanos), "order-producer-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void produce(long intervalNanos) {
        long next = System.nanoTime();
        while (true) {
            long submitted = System.nanoTime();
            pool.execute(() -> {
                wait.record(System.nanoTime() - submitted);
                Sleep.millis(taskMs);
                completed.incrementAndGet();
            });
            next += intervalNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Sleep.millis(Math.max(1, sleep / 1_000_000));
            } else {
                next = System.nanoTime(); // behind (caller ran the task): don't burst to catch up
            }
        }
    }

    @Override
    public String report() {
        return "saturated-pool: queue=" + pool.getQueue().size() + " active=" + pool.getActiveCount()
                + " completed=" + completed.get() + " callerRuns=" + callerRuns.get() + " wait " + wait.snapshotAndReset();
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
