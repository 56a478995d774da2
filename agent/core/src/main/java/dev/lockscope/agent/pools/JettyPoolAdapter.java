package dev.lockscope.agent.pools;

import dev.lockscope.bridge.PoolStats;

/**
 * Jetty's {@code org.eclipse.jetty.util.thread.QueuedThreadPool} (Javalin's server), read through its public
 * getters. Not instrumented: no wait/run histograms, no rejection counts. Busy threads include Jetty's
 * selector and acceptor threads, which live in the same pool.
 */
final class JettyPoolAdapter implements PoolAdapter {
    static final String QTP = "org.eclipse.jetty.util.thread.QueuedThreadPool";

    @Override
    public boolean accepts(Object pool) {
        return Reflective.isA(pool.getClass(), QTP);
    }

    @Override
    public void read(Object p, PoolStats stats, PoolFigures f, Head head) {
        f.kind = "JettyQueuedThreadPool";
        f.core = Reflective.number(p, "getMinThreads");
        f.max = Reflective.number(p, "getMaxThreads");
        f.size = Reflective.number(p, "getThreads");
        f.active = Reflective.number(p, "getBusyThreads");
        f.queueDepth = Reflective.number(p, "getQueueSize");
        f.queueType = "QueuedThreadPool jobs";
        f.shutdown = Boolean.FALSE.equals(Reflective.call(p, "isRunning"));
    }
}
