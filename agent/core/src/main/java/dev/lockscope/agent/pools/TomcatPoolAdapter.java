package dev.lockscope.agent.pools;

import dev.lockscope.bridge.PoolStats;
import java.util.concurrent.BlockingQueue;

/**
 * Tomcat's request pool, {@code org.apache.tomcat.util.threads.ThreadPoolExecutor}: a copy of the JDK's class
 * (same getters) that extends {@code AbstractExecutorService}, read through reflection because the agent does
 * not compile against Tomcat. Its execute/beforeExecute/afterExecute are instrumented like the JDK's.
 */
final class TomcatPoolAdapter implements PoolAdapter {
    @Override
    public boolean accepts(Object pool) {
        return Reflective.isA(pool.getClass(), ThreadPoolInstrumentation.TOMCAT);
    }

    @Override
    public void read(Object p, PoolStats stats, PoolFigures f, Head head) {
        f.kind = "TomcatThreadPoolExecutor";
        f.core = Reflective.number(p, "getCorePoolSize");
        f.max = Reflective.number(p, "getMaximumPoolSize");
        f.size = Reflective.number(p, "getPoolSize");
        f.active = Reflective.number(p, "getActiveCount");
        f.largest = Reflective.number(p, "getLargestPoolSize");
        f.submitted = Reflective.number(p, "getTaskCount");
        f.completed = Reflective.number(p, "getCompletedTaskCount");
        f.shutdown = Boolean.TRUE.equals(Reflective.call(p, "isShutdown"));
        Object h = Reflective.call(p, "getRejectedExecutionHandler");
        f.policy = h == null ? null : h.getClass().getName();
        if (Reflective.call(p, "getQueue") instanceof BlockingQueue<?> q) {
            f.queueType = q.getClass().getName();
            f.queueDepth = q.size();
            int remaining = q.remainingCapacity();
        f.queueRemaining = (long) remaining + f.queueDepth >= Integer.MAX_VALUE ? -1 : remaining; // -1: unbounded
            JdkThreadPoolAdapter.readHead(q, stats, f, head, false);
        }
    }
}
