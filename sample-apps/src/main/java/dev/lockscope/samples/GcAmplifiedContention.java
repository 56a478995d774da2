package dev.lockscope.samples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workers update a shared session cache under one lock. Broken: every update allocates fresh entry objects
 * and the cache keeps a large, churning set of them alive, so young collections copy many survivors and
 * pause for long; a pause that catches the lock's holder makes every waiter wait the whole pause too.
 * Fixed: entries are updated in place (no garbage per update), so collections are rare and short.
 */
final class GcAmplifiedContention implements Sample {
    private final int workers;
    private final int entries;
    private final boolean fixed;
    private final Object lock = new Object();
    private final Map<Integer, long[]> cache;
    private final AtomicLong updates = new AtomicLong();
    private final LatencyRecorder latency = new LatencyRecorder();

    GcAmplifiedContention(SampleOptions o) {
        workers = o.intValue("workers", 6, 1);
        entries = o.intValue("entries", 60_000, 1);
        fixed = o.fixed();
        int cap = entries;
        cache = new LinkedHashMap<>(cap * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, long[]> eldest) {
                return size() > cap;
            }
        };
    }

    @Override
    public String describe() {
        return workers + " workers updating a cache of " + entries + " sessions under one lock, "
                + (fixed ? "in place" : "allocating new entries");
    }

    @Override
    public void start() {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "session-worker-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void work() {
        java.util.Random random = new java.util.Random();
        while (true) {
            // Broken: four times more sessions than the cache holds, so entries keep being replaced.
            int key = random.nextInt(fixed ? entries : entries * 4);
            long t0 = System.nanoTime();
            synchronized (lock) {
                long[] e = cache.get(key);
                if (fixed) {
                    if (e == null) {
                        cache.put(key, new long[8]);
                    } else {
                        e[0]++;
                    }
                } else {
                    cache.put(key, new long[64]); // a new 0.5 KiB entry on every update: survives a while, then dies
                }
            }
            latency.record(System.nanoTime() - t0);
            updates.incrementAndGet();
        }
    }

    @Override
    public String report() {
        return "gc-contention: updates=" + updates.get() + " update latency " + latency.snapshotAndReset();
    }
}
