package dev.lockscope.dashboard.pools;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ref.WeakReference;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Child-JVM program for {@link PoolLifecycleEndToEndTest}: a pool that is used, shut down and garbage-collected. */
public final class GarbagePoolApp {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("ready");
        in.readLine();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                PoolGroundTruthApp.named("short-lived-"));
        for (int i = 0; i < 10; i++) {
            pool.execute(() -> PoolGroundTruthApp.sleep(10));
        }
        System.out.println("created");
        in.readLine();
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        WeakReference<Object> ref = new WeakReference<>(pool);
        pool = null;
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(100);
        }
        System.out.println(ref.get() == null ? "collected" : "still reachable");
        Thread.sleep(600_000);
    }
}
