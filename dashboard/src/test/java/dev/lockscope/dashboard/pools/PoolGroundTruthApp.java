package dev.lockscope.dashboard.pools;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child-JVM program for {@link PoolGroundTruthEndToEndTest}: waits for "go" on stdin (so the agent's
 * instrumentation is in place), then runs pools whose figures it measures itself and prints them:
 * timing (known sleeps and queue), rejections with each built-in policy, task identity, scheduled lateness.
 */
public final class PoolGroundTruthApp {
    static final int REJECTIONS = 5;

    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        timing();
        for (String policy : List.of("abort", "callerruns", "discard", "discardoldest")) {
            rejections(policy);
        }
        identity();
        lateness();
        System.out.println("done");
        Thread.sleep(600_000);
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One worker, ten 100 ms tasks queued at once: waits 0, 100, ..., 900 ms. */
    static void timing() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                named("gt-timing-"));
        int n = 10;
        long[] waits = new long[n];
        long[] runs = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            long submitted = System.nanoTime();
            pool.execute(() -> {
                long start = System.nanoTime();
                waits[k] = start - submitted;
                sleep(100);
                runs[k] = System.nanoTime() - start;
                done.countDown();
            });
        }
        done.await();
        Thread.sleep(100); // afterExecute of the last task
        Arrays.sort(waits);
        Arrays.sort(runs);
        System.out.printf(Locale.ROOT, "timing meanWaitMs=%.3f p50WaitMs=%.3f maxWaitMs=%.3f meanRunMs=%.3f p50RunMs=%.3f%n",
                mean(waits), waits[n / 2 - 1] / 1e6, waits[n - 1] / 1e6, mean(runs), runs[n / 2 - 1] / 1e6);
        keep.add(pool);
    }

    static final List<Object> keep = new ArrayList<>();

    /** One busy worker, a queue of one: REJECTIONS more tasks are each rejected once. */
    static void rejections(String policy) throws Exception {
        RejectedExecutionHandler h = switch (policy) {
            case "abort" -> new ThreadPoolExecutor.AbortPolicy();
            case "callerruns" -> new ThreadPoolExecutor.CallerRunsPolicy();
            case "discard" -> new ThreadPoolExecutor.DiscardPolicy();
            default -> new ThreadPoolExecutor.DiscardOldestPolicy();
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
                named("gt-" + policy + "-"), h);
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> await(release));
        pool.execute(() -> { });
        int thrown = 0;
        AtomicInteger callerRan = new AtomicInteger();
        for (int i = 0; i < REJECTIONS; i++) {
            try {
                pool.execute(callerRan::incrementAndGet);
            } catch (RejectedExecutionException e) {
                thrown++;
            }
        }
        release.countDown();
        System.out.println("rejections " + policy + " thrown=" + thrown + " callerRan=" + callerRan.get());
        keep.add(pool);
    }

    static final class UserTask implements Runnable {
        final String name;

        UserTask(String name) {
            this.name = name;
        }

        @Override
        public void run() {
        }
    }

    /** remove(task), shutdownNow() and a rejection handler see the application's own task objects. */
    static void identity() throws Exception {
        List<Object> handlerSaw = new ArrayList<>();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(3),
                named("gt-identity-"), (r, e) -> handlerSaw.add(r));
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> await(release));
        UserTask a = new UserTask("a");
        UserTask b = new UserTask("b");
        UserTask c = new UserTask("c");
        UserTask rejected = new UserTask("rejected");
        pool.execute(a);
        pool.execute(b);
        pool.execute(c);
        pool.execute(rejected);
        boolean removed = pool.remove(b);
        List<Runnable> left = pool.shutdownNow();
        boolean ok = removed && left.size() == 2 && left.get(0) == a && left.get(1) == c
                && handlerSaw.size() == 1 && handlerSaw.get(0) == rejected;
        System.out.println("identity removed=" + removed + " shutdownNow=" + left + " handlerSaw=" + handlerSaw
                + " ok=" + ok);
        release.countDown();
    }

    /** A scheduled pool whose only thread is busy for 600 ms: five tasks due at 100 ms start late. */
    static void lateness() throws Exception {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, named("gt-scheduled-"));
        int n = 5;
        long[] late = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        long t0 = System.nanoTime();
        pool.execute(() -> sleep(600));
        for (int i = 0; i < n; i++) {
            int k = i;
            long due = t0 + TimeUnit.MILLISECONDS.toNanos(100);
            pool.schedule(() -> {
                late[k] = System.nanoTime() - due;
                sleep(50);
                done.countDown();
            }, due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        done.await();
        Thread.sleep(100);
        Arrays.sort(late);
        System.out.printf(Locale.ROOT, "lateness meanLatenessMs=%.3f maxLatenessMs=%.3f%n", mean(late), late[n - 1] / 1e6);
        keep.add(pool);
    }

    static double mean(long[] v) {
        double s = 0;
        for (long x : v) {
            s += x;
        }
        return s / v.length / 1e6;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
