package dev.lockscope.dashboard.locks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.jvms.Windows;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

/**
 * {@code GET /api/jvms/{id}/locks?window=60s} (or {@code ?from=&to=}, a brushed window): the contended locks ranked by total wait in the window, with
 * coverage; {@code GET /api/jvms/{id}/locks/detail?lock=<id>&window=60s}: one lock with its histogram and timeline.
 */
public final class LockRoutes implements RouteGroup {
    private final JvmRegistry registry;
    private final LockService service = new LockService();

    public LockRoutes(JvmRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/jvms/{id}/locks", this::ranking);
        r.get("/api/jvms/{id}/locks/detail", this::detail);
    }

    private void ranking(Context ctx) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        Windows.Range range = Windows.rangeFromQuery(ctx);
        ctx.json(service.ranking(jvm, range.windowMs(), range.endMs()));
    }

    private void detail(Context ctx) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        String lock = ctx.queryParam("lock");
        if (lock == null || lock.isBlank()) {
            throw new BadRequestResponse("parameter 'lock' (a lock id from the ranking) is required");
        }
        Windows.Range range = Windows.rangeFromQuery(ctx);
        ObjectNode d = service.detail(jvm, lock, range.windowMs(), range.endMs());
        if (d == null) {
            throw new NotFoundResponse("no lock '" + lock + "' in the latest sample");
        }
        ctx.json(d);
    }
}
