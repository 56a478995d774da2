package dev.lockscope.samples;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request statistics kept in one map behind one lock that every worker takes for every request. Broken: the
 * critical section (update the map, recompute a summary) is a large share of each request, so adding threads
 * adds waiting, not throughput. Fixed: a {@link ConcurrentHashMap} of {@link LongAdder}s — no shared lock.
 */
final class HotLock implements Sample {
    private final int workers;
    private final int keys;
    private final long workMicros;
    private final long criticalMicros;
    private final boolean fixed;
    private final Object statsLock = new Object();
    private final Map<String, Long> stats = new HashMap<>();
    private final ConcurrentHashMap<String, LongAdder> adders = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private long lastRequests;

    HotLock(SampleOptions o) {
        workers = o.intValue("workers", 8, 1);
        keys = o.intValue("keys", 64, 1);
        workMicros = o.longValue("work", 200);
        criticalMicros = o.longValue("critical", 300);
        fixed = o.fixed();
    }

    @Override
    public String describe() {
        return workers + " workers, " + workMicros + "µs of own work and " + criticalMicros
                + "µs under the stats lock per request" + (fixed ? " (fixed: LongAdder map, no lock)" : "");
    }

    @Override
    public void start() {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::serve, "request-worker-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            spin(workMicros); // parse, compute: parallel work
            String key = "endpoint-" + r.nextInt(keys);
            if (fixed) {
                adders.computeIfAbsent(key, k -> new LongAdder()).increment();
                spin(criticalMicros); // the same work, now outside any shared lock
            } else {
                recordUnderLock(key);
            }
            requests.incrementAndGet();
        }
    }

    private void recordUnderLock(String key) {
        synchronized (statsLock) {
            stats.merge(key, 1L, Long::sum);
            spin(criticalMicros); // recompute a summary while holding the lock
        }
    }

    /** Busy work for {@code micros} of wall time (a critical section that computes rather than sleeps). */
    private static void spin(long micros) {
        long end = System.nanoTime() + micros * 1000;
        long x = 0;
        while (System.nanoTime() < end) {
            x += x * 31 + 7;
        }
        if (x == 42) {
            System.out.print("");
        }
    }

    @Override
    public String report() {
        long now = requests.get();
        long delta = now - lastRequests;
        lastRequests = now;
        return "hot-lock: requests/s=" + delta;
    }
}
