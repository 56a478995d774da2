package dev.lockscope.dashboard.pools;

import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.jvms.Windows;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code GET /api/jvms/{id}/pools?window=60s}: every pool of a JVM, ranked by saturation (see {@link PoolService}). */
public final class PoolRoutes implements RouteGroup {
    private final JvmRegistry registry;

    public PoolRoutes(JvmRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/jvms/{id}/pools", this::pools);
    }

    private void pools(Context ctx) {
        Windows.Range range = Windows.rangeFromQuery(ctx);
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        ctx.json(range.live() ? PoolService.view(jvm, range.windowMs(), jvm.now())
                : PoolService.viewEndingAt(jvm, range.windowMs(), range.endMs()));
    }
}
