package dev.lockscope.agent.transport;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounded, lock-free multi-producer queue of serialised messages. {@link #offer} never blocks and never takes a
 * lock (a lock here would be instrumented by the agent itself): when full, the message is dropped and counted.
 * The bound is approximate by at most the number of concurrent producers.
 */
public final class OutboundQueue {
    private final ConcurrentLinkedQueue<String> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final int capacity;

    public OutboundQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Adds the message, or drops and counts it when the queue is full. Never blocks. */
    public boolean offer(String message) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        items.offer(message);
        return true;
    }

    /** Next message or null. */
    public String poll() {
        String m = items.poll();
        if (m != null) {
            size.decrementAndGet();
        }
        return m;
    }

    public int size() {
        return size.get();
    }

    /** Cumulative count of messages dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }
}
