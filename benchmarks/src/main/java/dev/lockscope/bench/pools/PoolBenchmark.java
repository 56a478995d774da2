package dev.lockscope.bench.pools;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost the pools instrumentation adds to submitting work. Run with and without
 * {@code -javaagent:agent/target/lockscope-agent.jar=dashboard=none} (docs/PERFORMANCE.md, "Pools").
 *
 * <p>{@code execute}: a {@code ThreadPoolExecutor} with one worker and an {@code ArrayBlockingQueue} (no
 * allocation per task by the pool itself) given one shared no-op task, so any allocation per operation seen by
 * {@code -prof gc} is the agent's. When the queue is full the caller runs the task (CallerRunsPolicy), so the
 * figure mixes enqueue and caller-runs, with and without the agent alike.
 * {@code forkJoinSubmitJoin}: a round trip through a {@code ForkJoinPool} (not instrumented: a control).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolBenchmark {
    private static final Runnable NOOP = () -> { };

    private ThreadPoolExecutor executor;
    private ForkJoinPool forkJoin;

    @Setup(Level.Trial)
    public void setUp() {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(4096),
                new ThreadPoolExecutor.CallerRunsPolicy());
        executor.prestartAllCoreThreads();
        forkJoin = new ForkJoinPool(2);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(10, TimeUnit.SECONDS);
        forkJoin.shutdown();
    }

    @Benchmark
    public void execute() {
        executor.execute(NOOP);
    }

    @Benchmark
    public Object forkJoinSubmitJoin() {
        ForkJoinTask<?> t = forkJoin.submit(NOOP);
        return t.join();
    }
}
