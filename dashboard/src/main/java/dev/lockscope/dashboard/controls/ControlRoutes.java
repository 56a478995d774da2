package dev.lockscope.dashboard.controls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import io.javalin.config.RoutesConfig;
import dev.lockscope.dashboard.jvms.Json;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Production controls of a live JVM's agent:
 * <ul>
 *   <li>{@code POST /api/jvms/{id}/detach} ({@code {}}): the agent restores every instrumented class, stops its
 *       threads, recordings and profiles and disconnects; the JVM then shows {@code detached: true};</li>
 *   <li>{@code POST /api/jvms/{id}/features} ({@code {"locks": false, "jfr": true}}): turns the agent's
 *       capabilities on or off at runtime; answers with every switch's state. Only the names {@link #SWITCHES}
 *       with boolean values are accepted (400 otherwise, nothing sent to the agent). The state is also in each
 *       sample's {@code agent.switches}.</li>
 * </ul>
 * Adds {@code detached} and {@code detachedAt} to every JVM summary.
 */
public final class ControlRoutes implements RouteGroup {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Installing instrumentation (a switch turned on) costs Byte Buddy seconds of CPU on a loaded machine. */
    static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(30);
    static final List<String> SWITCHES = List.of("locks", "pools", "jfr", "deadlocks");

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
        r.post("/api/jvms/{id}/features", this::features);
    }

    private void detach(Context ctx) {
        JvmSession s = JvmRoutes.jvm(ctx, registry);
        ctx.future(() -> s.request("detach", Map.of(), TIMEOUT).thenAccept((JsonNode body) -> ctx.json(body)));
    }

    private void features(Context ctx) {
        JvmSession s = JvmRoutes.jvm(ctx, registry);
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(ctx.body());
        } catch (Exception e) {
            throw new BadRequestResponse("body must be a JSON object such as {\"locks\": false}");
        }
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw new BadRequestResponse("body must be a JSON object such as {\"locks\": false}");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            if (!SWITCHES.contains(e.getKey())) {
                throw new BadRequestResponse("unknown switch '" + e.getKey() + "' (known: " + String.join(", ", SWITCHES) + ")");
            }
            if (!e.getValue().isBoolean()) {
                throw new BadRequestResponse("switch " + e.getKey() + " must be true or false");
            }
            args.put(e.getKey(), e.getValue().asBoolean());
        }
        ctx.future(() -> s.request("features", args, SWITCH_TIMEOUT).thenAccept((JsonNode state) -> ctx.json(state)));
    }
}
