package dev.lockscope.samples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request threads that fetch prices with {@code CompletableFuture.supplyAsync(fetch)}, where the fetch is a
 * blocking remote call. Broken: without an executor argument the blocking fetches run on
 * {@code ForkJoinPool.commonPool()}, whose few workers (cores − 1) then sleep in I/O while every other user of
 * the common pool (here: a quick {@code runAsync} tick, parallel streams elsewhere) queues behind them.
 * Fixed: the fetches run on a dedicated executor sized for blocking work.
 */
final class CommonPoolStarvation implements Sample {
    /**
     * Where {@code supplyAsync(fetch)} without an executor runs on a machine with three cores or more. With one
     * common-pool worker (two cores) the JDK swaps in a thread per task, even for an explicit
     * {@code commonPool()}; handing it the pool's {@code execute} keeps the sample the same on any machine.
     */
    private static final Executor COMMON = ForkJoinPool.commonPool()::execute;

    private final int requests;
    private final long ioMs;
    private final boolean fixed;
    private final ExecutorService io;
    private final AtomicLong fetched = new AtomicLong();
    private final LatencyRecorder tickLatency = new LatencyRecorder();

    CommonPoolStarvation(SampleOptions o) {
        requests = o.intValue("requests", 8, 1);
        ioMs = o.longValue("io", 100);
        fixed = o.fixed();
        io = fixed ? Executors.newFixedThreadPool(requests, SaturatedPool.named("price-io")) : null;
    }

    @Override
    public String describe() {
        return requests + " request threads, each fetch blocks " + ioMs + "ms, fetches on "
                + (fixed ? "a dedicated executor" : "the common pool");
    }

    @Override
    public void start() {
        for (int i = 0; i < requests; i++) {
            Thread t = new Thread(() -> {
                while (true) {
                    CompletableFuture<Long> price = CompletableFuture.supplyAsync(this::fetchPrice, fixed ? io : COMMON);
                    price.join();
                    fetched.incrementAndGet();
                }
            }, "price-request-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread ticker = new Thread(() -> {
            while (true) {
                long t0 = System.nanoTime();
                CompletableFuture.runAsync(() -> { }, COMMON).join(); // another user of the common pool
                tickLatency.record(System.nanoTime() - t0);
                Sleep.millis(50);
            }
        }, "ticker");
        ticker.setDaemon(true);
        ticker.start();
    }

    private long fetchPrice() {
        Sleep.millis(ioMs); // a blocking HTTP call
        return ioMs;
    }

    @Override
    public String report() {
        return "common-pool: fetched=" + fetched.get() + " other common-pool task latency " + tickLatency.snapshotAndReset();
    }
}
