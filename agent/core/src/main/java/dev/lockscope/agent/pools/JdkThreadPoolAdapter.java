package dev.lockscope.agent.pools;

import dev.lockscope.bridge.PoolStats;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code java.util.concurrent.ThreadPoolExecutor} and subclasses. {@code getTaskCount}, {@code getActiveCount}
 * and {@code getCompletedTaskCount} take the pool's main lock briefly, as JMX readers of pools do.
 */
final class JdkThreadPoolAdapter implements PoolAdapter {
    @Override
    public boolean accepts(Object pool) {
        return pool instanceof ThreadPoolExecutor;
    }

    @Override
    public void read(Object o, PoolStats stats, PoolFigures f, Head head) {
        ThreadPoolExecutor p = (ThreadPoolExecutor) o;
        f.kind = "ThreadPoolExecutor";
        f.scheduled = p instanceof ScheduledThreadPoolExecutor;
        f.core = p.getCorePoolSize();
        f.max = p.getMaximumPoolSize();
        f.size = p.getPoolSize();
        f.active = p.getActiveCount();
        f.largest = p.getLargestPoolSize();
        f.submitted = p.getTaskCount();
        f.completed = p.getCompletedTaskCount();
        f.shutdown = p.isShutdown();
        RejectedExecutionHandler h = p.getRejectedExecutionHandler();
        f.policy = policyName(h);
        BlockingQueue<Runnable> q = p.getQueue();
        f.queueType = q.getClass().getName();
        f.queueDepth = q.size();
        int remaining = q.remainingCapacity();
        f.queueRemaining = (long) remaining + f.queueDepth >= Integer.MAX_VALUE ? -1 : remaining; // -1: unbounded
        readHead(q, stats, f, head, f.scheduled);
    }

    static void readHead(BlockingQueue<?> q, PoolStats stats, PoolFigures f, Head head, boolean scheduled) {
        Object first = q.peek();
        if (scheduled) {
            // Scheduled pools: how overdue the most urgent task is, not how long it has been queued.
            f.oldestQueuedAgeMs = first instanceof Delayed d ? Math.max(0, -d.getDelay(TimeUnit.MILLISECONDS)) : 0;
        } else {
            f.oldestQueuedAgeMs = head.ageMs(first, stats, System.nanoTime());
        }
    }

    static String policyName(Object h) {
        if (h == null) {
            return null;
        }
        if (h instanceof ThreadPoolExecutor.CallerRunsPolicy) {
            return "CallerRuns";
        }
        if (h instanceof ThreadPoolExecutor.AbortPolicy) {
            return "Abort";
        }
        if (h instanceof ThreadPoolExecutor.DiscardOldestPolicy) {
            return "DiscardOldest";
        }
        if (h instanceof ThreadPoolExecutor.DiscardPolicy) {
            return "Discard";
        }
        return h.getClass().getName();
    }
}
