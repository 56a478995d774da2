package dev.lockscope.dashboard.attach;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * Attach from the UI:
 * <ul>
 *   <li>{@code GET /api/attach}: {@code {enabled, reason, agentJar}};</li>
 *   <li>{@code GET /api/local-jvms}: the local JVMs this user may attach to;</li>
 *   <li>{@code POST /api/local-jvms/{pid}/attach} {@code {"name": "checkout"}}: loads the agent into one.</li>
 * </ul>
 */
public final class AttachRoutes implements RouteGroup {
    private final LocalAttach attach;

    public AttachRoutes(LocalAttach attach) {
        this.attach = attach;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/attach", ctx -> ctx.json(attach.status()));
        r.get("/api/local-jvms", ctx -> ctx.json(attach.list()));
        r.post("/api/local-jvms/{pid}/attach", this::attach);
    }

    private void attach(Context ctx) throws Exception {
        JsonNode body = ctx.body().isBlank() ? null : Json.MAPPER.readTree(ctx.body());
        String name = body == null ? null : body.path("name").asText(null);
        ctx.json(attach.attach(ctx.pathParam("pid"), name, agentUrl(ctx)));
    }

    /** The address the browser reached us on is one this server listens on, and local to the target. */
    private static String agentUrl(Context ctx) {
        String addr = ctx.req().getLocalAddr();
        if (addr.contains(":")) {
            addr = "[" + addr + "]";
        }
        return "ws://" + addr + ":" + ctx.req().getLocalPort() + dev.lockscope.protocol.Protocol.AGENT_PATH;
    }
}
