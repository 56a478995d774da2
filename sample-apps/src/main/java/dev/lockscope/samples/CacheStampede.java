package dev.lockscope.samples;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A price service whose hot entries live in a TTL cache guarded by one lock. Broken: when an entry expires the
 * reader that notices reloads it (slowly) while holding the lock, so every other reader piles up behind it and
 * p99 spikes once per TTL. Fixed: single-flight reload with serve-stale — one reader refreshes outside the lock
 * while the others keep serving the previous value.
 */
final class CacheStampede implements Sample {
    private final int readers;
    private final long ttlMs;
    private final long loadMs;
    private final int keys;
    /** Switches from the broken to the fixed read path after {@code --fix-after=S} seconds (time-travel demos). */
    private volatile boolean fixed;
    private final long fixAfterMs;
    private final boolean useSynchronized;
    private final PriceCache cache;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final AtomicLong reloads = new AtomicLong();

    CacheStampede(SampleOptions o) {
        readers = o.intValue("readers", 16, 1);
        ttlMs = o.longValue("ttl", 2000);
        loadMs = o.longValue("load", 300);
        keys = o.intValue("keys", 4, 1);
        useSynchronized = "synchronized".equals(o.choice("lock", "reentrant", "reentrant", "synchronized"));
        fixed = o.fixed();
        fixAfterMs = o.longValue("fix-after", 0) * 1000;
        cache = new PriceCache();
    }

    @Override
    public String describe() {
        return readers + " readers, " + keys + " hot keys, ttl " + ttlMs + "ms, load " + loadMs + "ms, "
                + (useSynchronized ? "synchronized" : "ReentrantLock");
    }

    @Override
    public void start() {
        for (int i = 0; i < readers; i++) {
            Thread t = new Thread(this::readLoop, "price-reader-" + i);
            t.setDaemon(true);
            t.start();
        }
        if (fixAfterMs > 0 && !fixed) {
            Thread fixer = new Thread(() -> {
                Sleep.millis(fixAfterMs);
                fixed = true;
                System.out.println("cache-stampede: fixed at " + System.currentTimeMillis());
            }, "price-fixer");
            fixer.setDaemon(true);
            fixer.start();
        }
    }

    private void readLoop() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            long t0 = System.nanoTime();
            cache.price("SKU-" + r.nextInt(keys));
            latency.record(System.nanoTime() - t0);
            Sleep.millis(20); // the rest of the request (keeps the stalled share of reads visible in p99)
        }
    }

    @Override
    public String report() {
        return "cache-stampede: reads " + latency.snapshotAndReset() + " reloads=" + reloads.get();
    }

    private record Entry(double price, long expiresAtNanos) {}

    /** The cache under test; {@link #price} is the hot path every request takes. */
    private final class PriceCache {
        private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
        private final ReentrantLock lock = new ReentrantLock();
        private final Object monitor = new Object();
        private final ConcurrentHashMap<String, AtomicBoolean> refreshing = new ConcurrentHashMap<>();

        double price(String key) {
            return fixed ? priceServeStale(key) : priceUnderLock(key);
        }

        /** Broken: check and reload under one lock, so readers queue behind every slow reload. */
        private double priceUnderLock(String key) {
            if (useSynchronized) {
                synchronized (monitor) {
                    return loadIfExpired(key);
                }
            }
            lock.lock();
            try {
                return loadIfExpired(key);
            } finally {
                lock.unlock();
            }
        }

        private double loadIfExpired(String key) {
            Entry e = entries.get(key);
            if (e == null || System.nanoTime() >= e.expiresAtNanos()) {
                e = load(key);
                entries.put(key, e);
            }
            return e.price();
        }

        /** Fixed: no lock on reads; one reader refreshes an expired entry while others serve the stale one. */
        private double priceServeStale(String key) {
            Entry e = entries.get(key);
            if (e != null && System.nanoTime() < e.expiresAtNanos()) {
                return e.price();
            }
            AtomicBoolean flag = refreshing.computeIfAbsent(key, k -> new AtomicBoolean());
            if (flag.compareAndSet(false, true)) {
                try {
                    e = load(key);
                    entries.put(key, e);
                } finally {
                    flag.set(false);
                }
                return e.price();
            }
            if (e != null) {
                return e.price(); // stale but instant
            }
            while (entries.get(key) == null) {
                Sleep.millis(1); // only before the very first load
            }
            return entries.get(key).price();
        }

        /** The slow backend call (a database, a remote pricing service). */
        private Entry load(String key) {
            reloads.incrementAndGet();
            System.out.println("cache-stampede: reload " + key + " at " + System.currentTimeMillis());
            Sleep.millis(loadMs);
            return new Entry(ThreadLocalRandom.current().nextDouble(10, 100), System.nanoTime() + ttlMs * 1_000_000);
        }
    }
}
