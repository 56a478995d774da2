package dev.lockscope.samples;

import dev.lockscope.samples.connpool.Connection;
import dev.lockscope.samples.connpool.ConnectionPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request threads that each need a database connection for a query. Broken: the pool has fewer connections
 * than concurrent requests, so most request threads sit in {@code ConnectionPool.acquire} while the few holders
 * run their queries. Fixed: the pool is sized from concurrency × hold time / request time (here: one per
 * request thread), so nobody waits for a connection.
 */
final class ConnectionPoolExhaustion implements Sample {
    private final int workers;
    private final int poolSize;
    private final long queryMs;
    private final ConnectionPool pool;
    private final LatencyRecorder acquireLatency = new LatencyRecorder();
    private final AtomicLong queries = new AtomicLong();

    ConnectionPoolExhaustion(SampleOptions o) {
        workers = o.intValue("workers", 16, 1);
        poolSize = o.intValue("pool", 4, 1);
        queryMs = o.longValue("query", 50);
        pool = new ConnectionPool(o.fixed() ? workers : poolSize);
    }

    @Override
    public String describe() {
        return workers + " request threads, " + queryMs + "ms queries, a pool of " + pool.size() + " connections";
    }

    @Override
    public void start() {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::serve, "request-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve() {
        while (true) {
            try {
                handleRequest();
            } catch (InterruptedException e) {
                return;
            }
            Sleep.millis(2); // the rest of the request: rendering, writing the response
        }
    }

    private void handleRequest() throws InterruptedException {
        long t0 = System.nanoTime();
        Connection c = pool.acquire();
        acquireLatency.record(System.nanoTime() - t0);
        try {
            c.query(queryMs);
            queries.incrementAndGet();
        } finally {
            pool.release(c);
        }
    }

    @Override
    public String report() {
        return "connection-pool: queries=" + queries.get() + " waiting=" + pool.waiting() + " acquire "
                + acquireLatency.snapshotAndReset();
    }
}
