package dev.lockscope.it.programs;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Contention that goes on whatever the agent does, and probes of whether the agent's advice is still in the JDK's
 * classes, printed once a second as {@code ops=<n> recorded=<r> poolSeen=<b> state=<s>}:
 * <ul>
 *   <li>{@code ops}: lock acquisitions in the last second (4 threads, each holding a shared ReentrantLock for
 *       1 ms): the app's throughput;</li>
 *   <li>{@code recorded}: the bridge's cumulative count of recorded lock waits. Once the agent reports
 *       {@code detached}, this program switches the bridge itself back on, so the count can only stay still if the
 *       advice that calls it is gone from {@code AbstractQueuedSynchronizer};</li>
 *   <li>{@code poolSeen}: whether a pool created and used this second was registered by the pool advice.</li>
 * </ul>
 * A line {@code spike <seconds>} on stdin adds a burst of lock waits: 8 more threads taking a second lock in a
 * tight loop for that long (prints {@code spike started} and {@code spike ended}).
 */
public final class AgentProbeWorkload {
    public static void main(String[] args) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        AtomicLong ops = new AtomicLong();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (true) {
                    lock.lock();
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    } finally {
                        lock.unlock();
                    }
                    ops.incrementAndGet();
                }
            }, "contender-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread commands = new Thread(() -> readCommands(), "commands");
        commands.setDaemon(true);
        commands.start();
        System.out.println("started");
        long last = 0;
        while (true) {
            Thread.sleep(1000);
            String state = System.getProperty("lockscope.agent.state", "none");
            Class<?> lockBridge = bridge("LockBridge");
            if ("detached".equals(state) && lockBridge != null) {
                lockBridge.getField("enabled").setBoolean(null, true);
            }
            long recorded = lockBridge == null ? -1 : (long) lockBridge.getMethod("recorded").invoke(null);
            long now = ops.get();
            System.out.println("ops=" + (now - last) + " recorded=" + recorded + " poolSeen=" + probePool()
                    + " state=" + state);
            last = now;
        }
    }

    private static void readCommands() {
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("spike ")) {
                    spike(Long.parseLong(line.substring(6).trim()) * 1000);
                }
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    private static void spike(long millis) throws InterruptedException {
        ReentrantLock hot = new ReentrantLock(true); // fair: every acquisition behind another queues, so each is a wait
        long end = System.currentTimeMillis() + millis;
        Thread[] threads = new Thread[8];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                long x = 0;
                while (System.currentTimeMillis() < end) {
                    hot.lock();
                    try {
                        for (int k = 0; k < 200; k++) {
                            x += k * 31 + x; // a little work inside, so others queue up
                        }
                    } finally {
                        hot.unlock();
                    }
                }
                if (x == 42) {
                    System.out.println(x);
                }
            }, "spiker-" + i);
            threads[i].start();
        }
        System.out.println("spike started");
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("spike ended");
    }

    /** A fresh pool runs one task; true when the pool bridge registered it (only the pool advice does that). */
    private static boolean probePool() throws Exception {
        ExecutorService pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        try {
            pool.submit(() -> { }).get();
            Class<?> poolBridge = bridge("PoolBridge");
            if (poolBridge == null) {
                return false;
            }
            Method lookup = poolBridge.getMethod("lookup", Object.class, boolean.class, boolean.class);
            return lookup.invoke(null, pool, false, false) != null;
        } finally {
            pool.shutdown();
        }
    }

    private static Class<?> bridge(String name) {
        try {
            return Class.forName("dev.lockscope.bridge." + name, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
