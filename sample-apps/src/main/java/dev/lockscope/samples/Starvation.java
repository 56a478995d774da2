package dev.lockscope.samples;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A configuration store read constantly and written rarely. Broken: readers take the read lock with
 * {@code readLock().tryLock()} in a retry loop, which barges past a queued writer whenever another reader holds
 * the lock; their holds overlap, so the writer waits far longer than any reader. Fixed: readers call
 * {@code readLock().lock()} on a fair lock, so once the writer queues, new readers queue behind it.
 */
final class Starvation implements Sample {
    private final int readers;
    private final long readMs;
    private final long writeEveryMs;
    private final boolean fixed;
    private final ReentrantReadWriteLock lock;
    private final LatencyRecorder writerWait = new LatencyRecorder();
    private final LatencyRecorder readerWait = new LatencyRecorder();
    private volatile long config;

    Starvation(SampleOptions o) {
        readers = o.intValue("readers", 8, 2);
        readMs = o.longValue("read", 20);
        writeEveryMs = o.longValue("write-every", 200);
        fixed = o.fixed();
        lock = new ReentrantReadWriteLock(fixed);
    }

    @Override
    public String describe() {
        return readers + " readers holding the read lock " + readMs + "ms each, a writer every " + writeEveryMs
                + "ms, " + (fixed ? "fair ReentrantReadWriteLock, readers queue with lock()"
                : "nonfair ReentrantReadWriteLock, readers barge with tryLock()");
    }

    @Override
    public void start() {
        for (int i = 0; i < readers; i++) {
            Thread t = new Thread(this::read, "config-reader-" + i);
            t.setDaemon(true);
            t.start();
            Sleep.millis(Math.max(1, readMs / readers)); // stagger, so read holds overlap
        }
        Thread w = new Thread(this::write, "config-writer");
        w.setDaemon(true);
        w.start();
    }

    private void read() {
        while (true) {
            long t0 = System.nanoTime();
            if (fixed) {
                lock.readLock().lock();
            } else {
                while (!lock.readLock().tryLock()) {
                    Sleep.millis(1); // retry: tryLock ignores the queue, so a waiting writer is overtaken
                }
            }
            try {
                readerWait.record(System.nanoTime() - t0);
                Sleep.millis(readMs); // use the config
                if (config < 0) {
                    System.out.print("");
                }
            } finally {
                lock.readLock().unlock();
            }
        }
    }

    private void write() {
        while (true) {
            Sleep.millis(writeEveryMs);
            long t0 = System.nanoTime();
            lock.writeLock().lock();
            try {
                writerWait.record(System.nanoTime() - t0);
                config++;
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    @Override
    public String report() {
        return "starvation: writer wait " + writerWait.snapshotAndReset() + " | reader wait " + readerWait.snapshotAndReset()
                + " | writes=" + config;
    }
}
