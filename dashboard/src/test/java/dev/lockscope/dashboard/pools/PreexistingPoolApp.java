package dev.lockscope.dashboard.pools;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link DynamicAttachEndToEndTest}: a pool created and busy before any agent is loaded,
 * and an idle one (its workers parked waiting for work) that is only findable through its threads.
 */
public final class PreexistingPoolApp {
    public static void main(String[] args) throws Exception {
        ThreadPoolExecutor busy = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                PoolGroundTruthApp.named("legacy-worker-"));
        ThreadPoolExecutor idle = new ThreadPoolExecutor(3, 3, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                PoolGroundTruthApp.named("idle-worker-"));
        idle.prestartAllCoreThreads();
        System.out.println("ready");
        while (true) {
            busy.execute(() -> PoolGroundTruthApp.sleep(20));
            Thread.sleep(10);
            if (idle.isShutdown()) {
                break;
            }
        }
    }
}
