package dev.lockscope.dashboard.pools;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program (JDK 21+) for {@link VirtualThreadsEndToEndTest}: thousands of virtual threads hand work to
 * an instrumented pool and wait for it, while a custom ForkJoinPool computes recursively. Prints "done".
 */
public final class VirtualThreadsApp {
    static final int THREADS = 5000;

    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                PoolGroundTruthApp.named("vt-backend-"));
        ForkJoinPool fj = new ForkJoinPool(3);
        long sum = fj.invoke(new Sum(0, 2_000_000));
        ExecutorService vts = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            all.add(vts.submit(() -> {
                for (int k = 0; k < 4; k++) {
                    pool.submit(() -> PoolGroundTruthApp.sleep(1)).get();
                    PoolGroundTruthApp.sleep(5);
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get();
        }
        System.out.println("done " + all.size() + " sum=" + sum + " completed=" + pool.getCompletedTaskCount());
        Thread.sleep(600_000);
    }

    static final class Sum extends RecursiveTask<Long> {
        final int from;
        final int to;

        Sum(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        protected Long compute() {
            if (to - from < 1000) {
                long s = 0;
                for (int i = from; i < to; i++) {
                    s += i;
                }
                return s;
            }
            int mid = (from + to) >>> 1;
            Sum left = new Sum(from, mid);
            left.fork();
            return new Sum(mid, to).compute() + left.join();
        }
    }
}
