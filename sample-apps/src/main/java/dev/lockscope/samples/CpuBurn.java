package dev.lockscope.samples;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Burns CPU in one known method, {@link #checksum}, on a few threads: the reference workload for cpu
 * profiles (that method must hold most of the samples). Not broken in any other way; {@code --fixed} is the
 * same program doing a tenth of the work per request and sleeping the rest, for differential flame graphs.
 */
final class CpuBurn implements Sample {
    private final int threads;
    private final boolean fixed;
    private final String threadName;
    private final AtomicLong requests = new AtomicLong();
    static volatile long sink;

    CpuBurn(SampleOptions o) {
        threads = o.intValue("threads", 2, 1);
        fixed = o.fixed();
        // A system property rather than an option: tests use it to give threads names with markup in them.
        threadName = System.getProperty("cpuburn.threadName", "burner");
    }

    @Override
    public String describe() {
        return threads + " threads computing checksums" + (fixed ? " (a tenth of the work)" : "");
    }

    @Override
    public void start() {
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, threadName + "-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void work() {
        while (true) {
            sink += checksum(fixed ? 200_000 : 2_000_000);
            requests.incrementAndGet();
            if (fixed) {
                Sleep.millis(5);
            }
        }
    }

    /**
     * The hot method: a tight arithmetic loop the JIT cannot remove (its result is published). The loop counter
     * is a {@code long} on purpose: an {@code int}-counted loop compiled without a safepoint poll (Serial and
     * Parallel GC do not strip-mine loops) is invisible to JFR's execution sampler, which can only walk stacks
     * at points with debug information; async-profiler would still see it.
     */
    static long checksum(int rounds) {
        long h = 1125899906842597L;
        for (long i = 0; i < rounds; i++) {
            h = 31 * h + (i ^ (h >>> 7));
        }
        return h;
    }

    @Override
    public String report() {
        return "cpu-burn: requests=" + requests.get();
    }
}
