package dev.lockscope.dashboard.waits;

import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.jvms.Windows;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code GET /api/jvms/{id}/waits?window=60s}: where each thread group's time went, and the waits that are not locks. */
public final class WaitRoutes implements RouteGroup {
    private final JvmRegistry registry;

    public WaitRoutes(JvmRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/jvms/{id}/waits", this::waits);
    }

    private void waits(Context ctx) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        Windows.Range range = Windows.rangeFromQuery(ctx); // ?window= (live) or ?from=&to= (a brushed window)
        ctx.json(WaitService.view(jvm, range.windowMs(), range.endMs()));
    }
}
