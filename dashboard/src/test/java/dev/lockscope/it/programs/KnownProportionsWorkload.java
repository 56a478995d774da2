package dev.lockscope.it.programs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads with known proportions, measured by the program itself (a loaded machine stretches sleeps, so the
 * nominal figures are not the truth): {@code half-*} threads compute for {@code spinMs} of wall time then sleep
 * as long; {@code future-waiter-*} threads wait {@code waitMs} on a future another thread completes, then sleep
 * a quarter of that; an {@code io-reader} thread waits in a socket read for data that never comes. Prints once a second, cumulative nanoseconds:
 * {@code truth at=<epoch ms> spin=… sleep=… futureWait=… futureRest=…}. Args: spinMs waitMs halfThreads waiterThreads [extraThreadName].
 */
public final class KnownProportionsWorkload {
    static final AtomicLong spin = new AtomicLong();
    static final AtomicLong sleep = new AtomicLong();
    static final AtomicLong futureWait = new AtomicLong();
    static final AtomicLong futureRest = new AtomicLong();

    public static void main(String[] args) throws Exception {
        long spinMs = Long.parseLong(args[0]);
        long waitMs = Long.parseLong(args[1]);
        int half = Integer.parseInt(args[2]);
        int waiters = Integer.parseInt(args[3]);
        ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "completer");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < half; i++) {
            start("half-" + i, () -> {
                while (true) {
                    long t0 = System.nanoTime();
                    long x = 0;
                    while (System.nanoTime() - t0 < spinMs * 1_000_000) {
                        x += x * 31 + 7;
                    }
                    long t1 = System.nanoTime();
                    spin.addAndGet(t1 - t0 + (x == 42 ? 1 : 0));
                    pause(spinMs);
                    sleep.addAndGet(System.nanoTime() - t1);
                }
            });
        }
        for (int i = 0; i < waiters; i++) {
            start("future-waiter-" + i, () -> {
                while (true) {
                    long t0 = System.nanoTime();
                    awaitQuote(completer, waitMs);
                    long t1 = System.nanoTime();
                    futureWait.addAndGet(t1 - t0);
                    pause(waitMs / 4);
                    futureRest.addAndGet(System.nanoTime() - t1);
                }
            });
        }
        // A server that accepts and never writes: its client's read waits on the OS for as long as the program runs.
        java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        java.net.Socket client = new java.net.Socket(server.getInetAddress(), server.getLocalPort());
        java.net.Socket accepted = server.accept();
        start("io-reader", () -> {
            try {
                client.getInputStream().read();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (args.length > 4) {
            start(args[4], () -> {
                while (true) {
                    pause(1000);
                }
            });
        }
        while (accepted.isConnected()) {
            Thread.sleep(1000);
            System.out.println("truth at=" + System.currentTimeMillis() + " spin=" + spin.get() + " sleep=" + sleep.get() + " futureWait=" + futureWait.get()
                    + " futureRest=" + futureRest.get());
        }
    }

    /** Waits for a "quote" that another thread delivers {@code waitMs} later. */
    static void awaitQuote(ScheduledExecutorService completer, long waitMs) {
        CompletableFuture<String> quote = new CompletableFuture<>();
        completer.schedule(() -> quote.complete("quote"), waitMs, TimeUnit.MILLISECONDS);
        try {
            quote.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
