package dev.lockscope.it.programs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * For running lockscope next to the OpenTelemetry Java agent: a {@code ThreadPoolExecutor} (both agents instrument
 * it) runs {@link #handle} tasks without pause; each takes one shared {@code ReentrantLock} for 5 ms, so the
 * lock is contended. OTel is told to trace {@code handle} ({@code otel.instrumentation.methods.include}).
 * Prints {@code handled=<n>} once a second.
 */
public final class OtelWorkload {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final AtomicLong HANDLED = new AtomicLong();

    public static void main(String[] args) throws Exception {
        ExecutorService pool = new ThreadPoolExecutor(4, 4, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> new Thread(r, "otel-worker"));
        for (int i = 0; i < 4; i++) {
            pool.execute(OtelWorkload::loop);
        }
        System.out.println("started");
        long last = 0;
        while (true) {
            Thread.sleep(1000);
            long now = HANDLED.get();
            System.out.println("handled=" + (now - last));
            last = now;
        }
    }

    private static void loop() {
        while (true) {
            handle();
        }
    }

    static void handle() {
        LOCK.lock();
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LOCK.unlock();
        }
        HANDLED.incrementAndGet();
    }
}
