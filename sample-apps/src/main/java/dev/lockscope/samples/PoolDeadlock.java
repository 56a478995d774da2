package dev.lockscope.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Report generation where each report task fans out to part tasks and waits for them. Broken: the parts are
 * submitted to the same small pool, so once every worker runs a report waiting for its parts, the parts sit in
 * the queue behind them and nothing progresses (no lock cycle: findDeadlockedThreads sees nothing). Fixed: parts
 * run on their own pool.
 */
final class PoolDeadlock implements Sample {
    private final int workers;
    private final int parts;
    private final long partMs;
    private final long intervalMs;
    private final boolean fixed;
    private final ExecutorService reports;
    private final ExecutorService partsPool;
    private final AtomicLong completed = new AtomicLong();

    PoolDeadlock(SampleOptions o) {
        workers = o.intValue("workers", 4, 1);
        parts = o.intValue("parts", 3, 1);
        partMs = o.longValue("part", 20);
        intervalMs = o.longValue("interval", 100);
        fixed = o.fixed();
        reports = Executors.newFixedThreadPool(workers, SaturatedPool.named("report-worker"));
        partsPool = fixed ? Executors.newFixedThreadPool(workers * parts, SaturatedPool.named("report-part")) : reports;
    }

    @Override
    public String describe() {
        return workers + " reports every " + intervalMs + "ms, " + workers + " report workers, " + parts + " parts of " + partMs
                + "ms per report, parts on "
                + (fixed ? "their own pool" : "the same pool");
    }

    @Override
    public void start() {
        Thread submitter = new Thread(() -> {
            while (true) {
                // A burst as large as the pool (a batch job, a page of results): when the parts share the pool,
                // the reports take every worker before any part can run.
                for (int i = 0; i < workers; i++) {
                    reports.submit(this::generateReport);
                }
                Sleep.millis(intervalMs);
            }
        }, "report-submitter");
        submitter.setDaemon(true);
        submitter.start();
    }

    private void generateReport() {
        List<Future<?>> pending = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            pending.add(partsPool.submit(() -> Sleep.millis(partMs)));
        }
        for (Future<?> f : pending) {
            try {
                f.get(); // waits for work queued behind itself when the pool is shared
            } catch (Exception e) {
                return;
            }
        }
        completed.incrementAndGet();
    }

    @Override
    public String report() {
        return "pool-deadlock: reports completed=" + completed.get();
    }
}
