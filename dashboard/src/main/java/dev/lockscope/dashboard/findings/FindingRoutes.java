package dev.lockscope.dashboard.findings;

import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import io.javalin.config.RoutesConfig;

/** {@code GET /api/jvms/{id}/findings}: open findings (most severe first), then closed ones (newest first). */
public final class FindingRoutes implements RouteGroup {
    private final JvmRegistry registry;
    private final FindingsEngine engine;

    public FindingRoutes(JvmRegistry registry, FindingsEngine engine) {
        this.registry = registry;
        this.engine = engine;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/jvms/{id}/findings", ctx -> ctx.json(engine.findings(JvmRoutes.jvm(ctx, registry).id())));
    }
}
