package dev.lockscope.agent.pools;

/**
 * One pool's point-in-time figures as an adapter read them. {@code -1} means "this kind of pool has no such
 * figure" and is left out of the sample.
 */
final class PoolFigures {
    String kind;
    String queueType;
    String policy;
    long core = -1;
    long max = -1;
    long size = -1;
    long active = -1;
    long largest = -1;
    long queueDepth = -1;
    long queueRemaining = -1;
    /** Accepted tasks (cumulative). */
    long submitted = -1;
    long completed = -1;
    long oldestQueuedAgeMs = -1;
    boolean scheduled;
    boolean shutdown;
    // ForkJoinPool
    long parallelism = -1;
    long running = -1;
    long queuedSubmissions = -1;
    long queuedTasks = -1;
    long steals = -1;
}
