package dev.lockscope.dashboard.pools;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Child-JVM program for {@link PoolsTabBrowserTest}: a saturated pool whose thread names carry HTML. */
public final class HostilePoolApp {
    static final String PREFIX = "<img src=x onerror=alert(1)>-";

    public static void main(String[] args) throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                PoolGroundTruthApp.named(PREFIX));
        CountDownLatch never = new CountDownLatch(1);
        pool.execute(() -> PoolGroundTruthApp.await(never));
        System.out.println("ready");
        while (true) {
            pool.execute(() -> { });
            Thread.sleep(100);
        }
    }
}
