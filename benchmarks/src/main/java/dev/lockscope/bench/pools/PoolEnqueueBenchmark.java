package dev.lockscope.bench.pools;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The submitting thread's cost of {@code ThreadPoolExecutor.execute} alone, without a consumer racing it: the
 * pool's only worker is parked on a latch, so every execute appends a shared no-op task to the queue
 * ({@code LinkedBlockingQueue}: one node per task, the pool's own allocation), and the queue is cleared after
 * each batch of {@value #BATCH}. Cross-thread effects of the consumer (see {@link PoolBenchmark}) are out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolEnqueueBenchmark {
    static final int BATCH = 1024;
    private static final Runnable NOOP = () -> { };

    private ThreadPoolExecutor executor;
    private final CountDownLatch release = new CountDownLatch(1);

    @Setup(Level.Trial)
    public void setUp() {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        executor.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        executor.getQueue().clear();
        release.countDown();
        executor.shutdown();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void executeIntoQueue() {
        for (int i = 0; i < BATCH; i++) {
            executor.execute(NOOP);
        }
        executor.getQueue().clear();
    }
}
