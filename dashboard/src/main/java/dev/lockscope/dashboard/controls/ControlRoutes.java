package dev.lockscope.dashboard.controls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;

/**
 * Production controls of a live JVM's agent:
 * <ul>
 *   <li>{@code POST /api/jvms/{id}/detach} ({@code {}}): the agent restores every instrumented class, stops its
 *       threads, recordings and profiles and disconnects; the JVM then shows {@code detached: true};</li>
 * </ul>
 * Adds {@code detached} and {@code detachedAt} to every JVM summary.
 */
public final class ControlRoutes implements RouteGroup {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final JvmRegistry registry;

    public ControlRoutes(JvmRegistry registry, JvmRoutes jvms) {
        this.registry = registry;
        registry.onEvent((jvm, event) -> {
            if ("detached".equals(event.kind())) {
                jvm.markDetached(event.ts());
            }
        });
        jvms.summaryField("detached", s -> BooleanNode.valueOf(s.detached()));
        jvms.summaryField("detachedAt", s -> LongNode.valueOf(s.detachedAt()));
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.post("/api/jvms/{id}/detach", this::detach);
    }

    private void detach(Context ctx) {
        JvmSession s = JvmRoutes.jvm(ctx, registry);
        ctx.future(() -> s.request("detach", Map.of(), TIMEOUT).thenAccept((JsonNode body) -> ctx.json(body)));
    }
}
