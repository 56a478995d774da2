package dev.lockscope.dashboard.pools;

import io.javalin.Javalin;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Child-JVM program for {@link ServerPoolsEndToEndTest}: Javalin (Jetty) with an 8-thread pool, a slow endpoint. */
public final class JavalinServerApp {
    public static void main(String[] args) {
        QueuedThreadPool pool = new QueuedThreadPool(8, 8);
        pool.setName("api-qtp");
        Javalin app = Javalin.create(c -> {
            c.jetty.threadPool = pool;
            c.startup.showJavalinBanner = false;
            c.routes.get("/slow", ctx -> {
                PoolGroundTruthApp.sleep(Long.parseLong(ctx.queryParam("ms")));
                ctx.result("ok");
            });
        }).start("127.0.0.1", 0);
        System.out.println("listening on " + app.port());
    }
}
