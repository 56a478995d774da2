package dev.lockscope.dashboard.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.jvms.Windows;
import dev.lockscope.dashboard.store.CaptureStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.time.Instant;

/**
 * Time travel over HTTP (the agent's always-on recording):
 * <ul>
 *   <li>{@code GET /api/jvms/{id}/recording}: is it on, how much history it keeps;</li>
 *   <li>{@code GET /api/jvms/{id}/recording/flamegraph?event=cpu|lock&from=&to=} (epoch ms): the window's
 *       sample count and links to {@code /recording/html} (flame graph, {@code &download=1} as a file) and
 *       {@code /recording/collapsed};</li>
 *   <li>{@code POST /api/jvms/{id}/snapshots} {@code {"from": ms, "to": ms, "finding": "f12"}} or {@code {"at": ms, "seconds": 60}} (around a moment): saves the window as
 *       a .jfr capture (201); {@code GET /api/jvms/{id}/snapshots}; {@code GET /api/snapshots/{id}} and
 *       {@code /api/snapshots/{id}/jfr} (download).</li>
 * </ul>
 */
public final class RecordingRoutes implements RouteGroup {
    private final JvmRegistry registry;
    private final RecordingService service;

    public RecordingRoutes(JvmRegistry registry, CaptureStore store) {
        this.registry = registry;
        this.service = new RecordingService(store);
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/jvms/{id}/recording", ctx -> {
            JvmSession jvm = JvmRoutes.jvm(ctx, registry);
            ctx.future(() -> service.status(jvm).thenAccept(ctx::json));
        });
        r.get("/api/jvms/{id}/recording/flamegraph", ctx -> window(ctx, w -> {
            ObjectNode o = Json.MAPPER.createObjectNode().put("jvmId", w.jvmId()).put("event", w.event())
                    .put("fromMs", w.fromMs()).put("toMs", w.toMs()).put("samples", w.samples());
            String q = query(w);
            String jvm = java.net.URLEncoder.encode(w.jvmId(), java.nio.charset.StandardCharsets.UTF_8);
            o.putObject("links").put("html", "/api/jvms/" + jvm + "/recording/html?" + q)
                    .put("collapsed", "/api/jvms/" + jvm + "/recording/collapsed?" + q);
            ctx.json(o);
        }));
        r.get("/api/jvms/{id}/recording/collapsed", ctx -> window(ctx, w -> {
            ctx.header("Content-Disposition", "attachment; filename=\"" + fileName(w) + ".collapsed.txt\"");
            ctx.contentType("text/plain; charset=utf-8").result(w.collapsed());
        }));
        r.get("/api/jvms/{id}/recording/html", ctx -> window(ctx, w -> {
            String title = (w.event().equals("cpu") ? "CPU" : "Lock") + " flame graph of " + w.jvmName() + ", "
                    + Instant.ofEpochMilli(w.fromMs()) + " to " + Instant.ofEpochMilli(w.toMs())
                    + " (always-on recording, " + w.samples() + " samples)";
            ctx.header("Content-Security-Policy", ProfileRoutes.VIEWER_CSP);
            ctx.header("X-Frame-Options", "SAMEORIGIN");
            if (ctx.queryParam("download") != null) {
                ctx.header("Content-Disposition", "attachment; filename=\"" + fileName(w) + ".html\"");
            }
            ctx.contentType("text/html; charset=utf-8").result(FlameGraphHtml.render(title, Collapsed.parse(w.collapsed())));
        }));
        r.post("/api/jvms/{id}/snapshots", this::saveSnapshot);
        r.get("/api/jvms/{id}/snapshots", ctx -> {
            JvmSession jvm = JvmRoutes.jvm(ctx, registry);
            ArrayNode a = Json.MAPPER.createArrayNode();
            service.of(jvm.id()).forEach(s -> a.add(s.json()));
            ctx.json(a);
        });
        r.get("/api/snapshots/{id}", ctx -> ctx.json(snapshot(ctx).json()));
        r.get("/api/snapshots/{id}/jfr", ctx -> {
            JfrSnapshot s = snapshot(ctx);
            ctx.header("Content-Disposition", "attachment; filename=\"" + s.fileName() + "\"");
            ctx.contentType("application/octet-stream").result(s.bytes());
        });
    }

    private void window(Context ctx, java.util.function.Consumer<RecordingService.Window> then) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        String event = ctx.queryParam("event") == null ? "cpu" : ctx.queryParam("event");
        if (!event.equals("cpu") && !event.equals("lock")) {
            throw new BadRequestResponse("event must be cpu or lock (what the always-on recording keeps)");
        }
        long[] range = range(ctx.queryParam("from"), ctx.queryParam("to"));
        ctx.future(() -> service.window(jvm, event, range[0], range[1]).thenAccept(then));
    }

    private void saveSnapshot(Context ctx) throws Exception {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        JsonNode body = ctx.body().isBlank() ? null : Json.MAPPER.readTree(ctx.body());
        if (body == null || !body.isObject()) {
            throw new BadRequestResponse("expected a JSON object like {\"from\": 1700000000000, \"to\": 1700000060000}");
        }
        long[] range;
        if (body.has("at")) {
            // Around a moment: the given number of seconds (default 60) centred on it.
            long at = body.path("at").asLong();
            long half = Math.round(body.path("seconds").asDouble(60) * 500);
            range = range(String.valueOf(at - half), String.valueOf(at + half));
        } else {
            range = range(body.path("from").asText(null), body.path("to").asText(null));
        }
        String finding = body.path("finding").isTextual() ? body.path("finding").asText() : null;
        ctx.future(() -> service.snapshot(jvm, range[0], range[1], finding)
                .thenAccept(s -> ctx.status(HttpStatus.CREATED).json(s.json())));
    }

    private JfrSnapshot snapshot(Context ctx) {
        JfrSnapshot s = service.get(ctx.pathParam("id"));
        if (s == null) {
            throw new NotFoundResponse("no JFR snapshot '" + ctx.pathParam("id") + "' (the dashboard keeps the last "
                    + RecordingService.MAX_SNAPSHOTS + ")");
        }
        return s;
    }

    /** {@code from} and {@code to} in epoch milliseconds, from before to, at most {@link Windows#MAX_MS} apart. */
    static long[] range(String from, String to) {
        long f;
        long t;
        try {
            f = Long.parseLong(String.valueOf(from).strip());
            t = Long.parseLong(String.valueOf(to).strip());
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("from and to (epoch milliseconds) are required");
        }
        if (f <= 0 || t <= f) {
            throw new BadRequestResponse("from must be positive and before to");
        }
        if (t - f > Windows.MAX_MS) {
            throw new BadRequestResponse("the window may be at most 24 h long");
        }
        return new long[] {f, t};
    }

    private static String query(RecordingService.Window w) {
        return "event=" + w.event() + "&from=" + w.fromMs() + "&to=" + w.toMs();
    }

    private static String fileName(RecordingService.Window w) {
        return (w.jvmName() + "-" + w.event() + "-" + w.fromMs() + "-" + w.toMs()).replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
