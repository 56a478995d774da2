package dev.lockscope.agent.pools;

import dev.lockscope.bridge.PoolStats;
import java.util.concurrent.ForkJoinPool;

/** {@code ForkJoinPool}: the common pool, custom pools and the JDK's virtual-thread scheduler (read only). */
final class ForkJoinAdapter implements PoolAdapter {
    @Override
    public boolean accepts(Object pool) {
        return pool instanceof ForkJoinPool;
    }

    @Override
    public void read(Object o, PoolStats stats, PoolFigures f, Head head) {
        ForkJoinPool p = (ForkJoinPool) o;
        f.kind = "ForkJoinPool";
        f.parallelism = p.getParallelism();
        f.max = p.getParallelism();
        f.size = p.getPoolSize();
        f.running = p.getRunningThreadCount();
        f.active = p.getActiveThreadCount();
        f.queuedSubmissions = p.getQueuedSubmissionCount();
        f.queuedTasks = p.getQueuedTaskCount();
        f.queueDepth = f.queuedSubmissions + f.queuedTasks;
        f.steals = p.getStealCount();
        f.shutdown = p.isShutdown();
        f.queueType = "work-stealing deques";
    }
}
