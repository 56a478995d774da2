/**
 * Thread pools: discovery, live figures, sampled queue-wait / run / lateness timing, rejections by policy.
 *
 * <h2>How pools are found</h2>
 * <ul>
 *   <li>Instrumentation ({@link dev.lockscope.agent.pools.ThreadPoolInstrumentation}) of
 *   {@code java.util.concurrent.ThreadPoolExecutor} (so every subclass) and of Tomcat's copy of it: the
 *   constructor registers the pool with its call site; pools created by agent threads are registered as ignored.</li>
 *   <li>Worker threads ({@link dev.lockscope.agent.pools.PoolDiscovery}), once a second: pools created before a
 *   dynamic attach, Jetty's {@code QueuedThreadPool} and every {@code ForkJoinPool} (including the JDK's
 *   virtual-thread scheduler, recognised by its {@code CarrierThread}s and marked JDK-internal, read only).</li>
 *   <li>Execution: a pool that was missed is registered at its next {@code execute}/{@code beforeExecute}.</li>
 * </ul>
 * All pools live in the bridge's table ({@code PoolBridge}), held weakly; a collected pool disappears.
 *
 * <h2>Timing without wrapping tasks</h2>
 * {@code execute(task)} stores (task, now) in a small per-pool slot table keyed by the task's identity hash;
 * {@code beforeExecute} finds it, records the wait and (thread, now); {@code afterExecute} records the run
 * time. Up to 256 executions per pool per second are all sampled, beyond that one in 64, and only while a free
 * slot exists (so per-task cost is a counter increment on most tasks). Scheduled pools record lateness
 * ({@code -getDelay()} of the {@code ScheduledFutureTask} at start) instead of time in the queue. A subclass
 * that overrides {@code beforeExecute}/{@code afterExecute} without calling {@code super} loses timing only.
 *
 * <h2>Adding another server's pool</h2>
 * One {@link dev.lockscope.agent.pools.PoolAdapter} reading it (see {@code JettyPoolAdapter}, 30 lines), a line
 * in {@code PoolAdapters.ALL}; if its worker threads reach the pool through an inner class's {@code this$0} or a
 * {@code Runnable} field, {@code PoolDiscovery} finds it without changes.
 */
package dev.lockscope.agent.pools;
