package dev.lockscope.dashboard.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A test program whose threads sit in known, stable states, so dumps taken from inside and outside can be
 * compared: {@code StableThreads <count> [--virtual=N] [extra thread names...]}.
 *
 * <ul>
 *   <li>{@code stable-holder} holds monitor M and sleeps; {@code stable-blocked-i} are BLOCKED on M,
 *       {@code stable-sleeper-i} sleep, {@code stable-waiter-i} wait in {@code Object.wait()};</li>
 *   <li>a chain {@code chain-a} → {@code chain-b} → {@code chain-c} (each BLOCKED on a monitor the next holds);</li>
 *   <li>{@code rl-waiter} parked on a {@code ReentrantLock} that {@code rl-holder} holds;</li>
 *   <li>every extra name: a thread of exactly that name, BLOCKED on M;</li>
 *   <li>{@code --virtual=N}: N sleeping virtual threads (JDK 21+);</li>
 *   <li>{@code --spin}: a thread {@code spinner} that keeps one core busy (RUNNABLE in {@code spin});</li>
 *   <li>{@code --fill=MB}: about MB megabytes of small live objects, for heap-scan costs;</li>
 *   <li>{@code --deadlock-after=MS}: MS after {@code ready}, {@code late-0} and {@code late-1} deadlock on two
 *       monitors; prints {@code deadlock: cycle formed at <epoch ms>} as they close the cycle.</li>
 * </ul>
 * Prints {@code ready} once every thread is in its state.
 */
public final class StableThreads {
    private static final Object M = new Object();
    /** One Runnable for every thread blocked on M, so they all share one stack (one lambda class). */
    private static final Runnable ENTER_M = StableThreads::enterM;
    private static final List<Thread> THREADS = new ArrayList<>();
    private static final List<Thread.State> EXPECTED = new ArrayList<>();

    /** The directory or jar this class was loaded from (it needs nothing else). */
    static String classPath() {
        try {
            return java.nio.file.Paths.get(StableThreads.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int virtual = 0;
        long deadlockAfter = -1;
        List<String> extra = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--spin")) {
                start("spinner", StableThreads::spin, Thread.State.RUNNABLE);
            } else if (args[i].startsWith("--deadlock-after=")) {
                deadlockAfter = Long.parseLong(args[i].substring("--deadlock-after=".length()));
            } else if (args[i].startsWith("--fill=")) {
                fill(Long.parseLong(args[i].substring("--fill=".length())));
            } else if (args[i].startsWith("--virtual=")) {
                virtual = Integer.parseInt(args[i].substring("--virtual=".length()));
            } else {
                extra.add(args[i]);
            }
        }
        start("stable-holder", () -> {
            synchronized (M) {
                sleepForever();
            }
        }, Thread.State.TIMED_WAITING);
        awaitStates();
        for (int i = 0; i < count; i++) {
            switch (i % 3) {
                case 0 -> start("stable-sleeper-" + i, StableThreads::sleepForever, Thread.State.TIMED_WAITING);
                case 1 -> start("stable-waiter-" + i, StableThreads::waitForever, Thread.State.WAITING);
                default -> start("stable-blocked-" + i, ENTER_M, Thread.State.BLOCKED);
            }
        }
        for (String name : extra) {
            start(name, ENTER_M, Thread.State.BLOCKED);
        }
        Object x = new Object();
        Object y = new Object();
        Object z = new Object();
        start("chain-c", () -> chainLink(z, null), Thread.State.TIMED_WAITING);
        awaitStates();
        start("chain-b", () -> chainLink(y, z), Thread.State.BLOCKED);
        awaitStates();
        start("chain-a", () -> chainLink(x, y), Thread.State.BLOCKED);
        ReentrantLock lock = new ReentrantLock();
        start("rl-holder", () -> {
            lock.lock();
            sleepForever();
        }, Thread.State.TIMED_WAITING);
        awaitStates();
        start("rl-waiter", lock::lock, Thread.State.WAITING);
        for (int i = 0; i < virtual; i++) {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            builder = ofVirtual.getMethod("name", String.class).invoke(builder, "vt-sleeper-" + i);
            ofVirtual.getMethod("start", Runnable.class).invoke(builder, (Runnable) StableThreads::sleepForever);
        }
        awaitStates();
        System.out.println("ready " + (THREADS.size()) + " threads");
        if (deadlockAfter >= 0) {
            Thread.sleep(deadlockAfter);
            Object a = new Object();
            Object b = new Object();
            java.util.concurrent.CountDownLatch bothHoldOne = new java.util.concurrent.CountDownLatch(2);
            Thread late1 = new Thread(() -> lateLock(b, a, bothHoldOne, false), "late-1");
            late1.setDaemon(true);
            late1.start();
            Thread late0 = new Thread(() -> lateLock(a, b, bothHoldOne, true), "late-0");
            late0.setDaemon(true);
            late0.start();
        }
        sleepForever();
    }

    /** Live objects kept until exit: chunks of 1,000 small arrays (about 24 bytes each). */
    private static final List<Object[]> FILL = new ArrayList<>();

    private static void fill(long megabytes) {
        long objects = megabytes * 1024 * 1024 / 24;
        for (long i = 0; i < objects; i += 1000) {
            Object[] chunk = new Object[1000];
            for (int j = 0; j < chunk.length; j++) {
                chunk[j] = new Object[1];
            }
            FILL.add(chunk);
        }
        System.out.println("filled " + objects + " objects");
    }

    private static void chainLink(Object hold, Object next) {
        synchronized (hold) {
            if (next == null) {
                sleepForever();
            } else {
                synchronized (next) {
                    sleepForever();
                }
            }
        }
    }

    private static void lateLock(Object first, Object second, java.util.concurrent.CountDownLatch latch, boolean announce) {
        synchronized (first) {
            latch.countDown();
            try {
                latch.await();
            } catch (InterruptedException e) {
                return;
            }
            if (announce) {
                System.out.println("deadlock: cycle formed at " + System.currentTimeMillis());
            }
            synchronized (second) {
                System.out.println("never printed");
            }
        }
    }

    static volatile long spins;

    private static void spin() {
        while (true) {
            spins++;
        }
    }

    private static void enterM() {
        synchronized (M) {
            sleepForever();
        }
    }

    private static void waitForever() {
        Object o = new Object();
        synchronized (o) {
            while (true) {
                try {
                    o.wait();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(1_000_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void start(String name, Runnable r, Thread.State expected) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        THREADS.add(t);
        EXPECTED.add(expected);
    }

    private static void awaitStates() throws InterruptedException {
        for (int i = 0; i < THREADS.size(); i++) {
            while (THREADS.get(i).getState() != EXPECTED.get(i)) {
                Thread.sleep(5);
            }
        }
    }
}
