package dev.lockscope.samples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An event loop (a single-threaded executor) handling events that each need a user lookup from a slow
 * service. Broken: the handler waits for the lookup on the loop thread, so the loop spends its time blocked
 * and events queue. Fixed: the lookup runs on a worker pool and its result comes back to the loop as a new
 * event, so the loop never blocks. With {@code --compute=MS} each event also needs MS of computation (rendering a
 * report): broken, the loop runs it as one long task; fixed, it runs on the worker pool too.
 */
final class BlockedEventLoop implements Sample {
    private final long lookupMs;
    private final long intervalMs;
    private final long computeMs;
    private final boolean fixed;
    private final ExecutorService loop = Executors.newSingleThreadExecutor(SaturatedPool.named("event-loop"));
    private final ExecutorService lookups = Executors.newFixedThreadPool(4, SaturatedPool.named("user-service"));
    private final AtomicLong handled = new AtomicLong();
    private final LatencyRecorder latency = new LatencyRecorder();

    BlockedEventLoop(SampleOptions o) {
        lookupMs = o.longValue("lookup", 20);
        intervalMs = o.longValue("interval", 25);
        computeMs = o.longValue("compute", 0);
        fixed = o.fixed();
    }

    @Override
    public String describe() {
        return "an event every " + intervalMs + "ms, each needing a " + lookupMs + "ms lookup"
                + (computeMs > 0 ? " and " + computeMs + "ms of computation" : "") + ", done " + (fixed ? "off the loop" : "on the loop");
    }

    @Override
    public void start() {
        Thread source = new Thread(() -> {
            while (true) {
                long t0 = System.nanoTime();
                loop.execute(() -> onEvent(t0));
                Sleep.millis(intervalMs);
            }
        }, "event-source");
        source.setDaemon(true);
        source.start();
    }

    private void onEvent(long arrivedNanos) {
        CompletableFuture<String> user = CompletableFuture.supplyAsync(this::lookupUser, lookups);
        if (fixed) {
            user.thenApplyAsync(this::render, lookups).thenAcceptAsync(u -> done(arrivedNanos), loop);
        } else {
            render(user.join()); // blocks the loop, then runs a long task on it
            done(arrivedNanos);
        }
    }

    private String render(String user) {
        long end = System.nanoTime() + computeMs * 1_000_000;
        long x = user.length();
        while (System.nanoTime() < end) {
            x = x * 31 + 7;
        }
        return x == 42 ? user + "!" : user;
    }

    private String lookupUser() {
        Sleep.millis(lookupMs);
        return "user";
    }

    private void done(long arrivedNanos) {
        handled.incrementAndGet();
        latency.record(System.nanoTime() - arrivedNanos);
    }

    @Override
    public String report() {
        return "event-loop: handled=" + handled.get() + " event latency " + latency.snapshotAndReset();
    }
}
