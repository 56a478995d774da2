package dev.lockscope.samples.connpool;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A tiny stand-in for a JDBC connection pool (the shape of HikariCP or commons-pool): a fixed number of
 * connections handed out under a semaphore. Kept in its own package, as a library's pool would be.
 */
public final class ConnectionPool {
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private final int size;

    public ConnectionPool(int size) {
        this.size = size;
        this.permits = new Semaphore(size);
        for (int i = 0; i < size; i++) {
            idle.add(new Connection(i));
        }
    }

    public int size() {
        return size;
    }

    /** Waits as long as it takes for a free connection. */
    public Connection acquire() throws InterruptedException {
        permits.acquire();
        return idle.poll();
    }

    /** Waits at most {@code timeoutMs}; null when none became free (the caller sheds the request). */
    public Connection tryAcquire(long timeoutMs) throws InterruptedException {
        return permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS) ? idle.poll() : null;
    }

    public void release(Connection c) {
        idle.add(c);
        permits.release();
    }

    public int waiting() {
        return permits.getQueueLength();
    }
}
