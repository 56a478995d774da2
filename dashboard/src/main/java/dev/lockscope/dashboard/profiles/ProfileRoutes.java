package dev.lockscope.dashboard.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.store.CaptureStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;

/**
 * Profiles over HTTP:
 * <ul>
 *   <li>{@code POST /api/jvms/{id}/profiles} {@code {"event":"cpu","duration":30,"threads":"worker","byThread":false,
 *       "interval":10,"threshold":1}} (duration in seconds, 0 = until stopped; interval and threshold in ms) →
 *       201 with the capture ({@code id}, {@code status}, ...); 409 when a profile already runs on that JVM;</li>
 *   <li>{@code GET /api/jvms/{id}/profiles}: the JVM's captures, newest first;</li>
 *   <li>{@code GET /api/profiles}: every JVM's captures, newest first (to compare across JVMs);</li>
 *   <li>{@code GET /api/profiles/{id}}: {@code status} (running, done, failed with {@code reason}), engine, links;</li>
 *   <li>{@code POST /api/profiles/{id}/stop}: ends a running profile now;</li>
 *   <li>{@code GET /api/profiles/{id}/collapsed}, {@code /html} ({@code ?download=1} as attachment), {@code /jfr};</li>
 *   <li>{@code GET /api/profiles/{a}/diff/{b}} (JSON: what grew and shrank) and {@code /diff/{b}/html}.</li>
 * </ul>
 *
 * <p>The flame graph page runs async-profiler's viewer script, which is inline: its route gets its own
 * Content-Security-Policy (inline script and style, nothing fetched, {@code sandbox allow-scripts allow-modals},
 * framable only by the dashboard itself) instead of the dashboard's strict one, and the UI shows it in an
 * iframe sandboxed the same way, so it runs in an opaque origin with no access to the dashboard.
 */
public final class ProfileRoutes implements RouteGroup {
    static final String VIEWER_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts allow-modals";

    private final JvmRegistry registry;
    private final ProfileService service;

    public ProfileRoutes(JvmRegistry registry) {
        this(registry, CaptureStore.Disabled.INSTANCE);
    }

    public ProfileRoutes(JvmRegistry registry, CaptureStore store) {
        this.registry = registry;
        this.service = new ProfileService(registry, store);
    }

    /** The service holding the captures (archives add their recorded profiles to it). */
    public ProfileService service() {
        return service;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.post("/api/jvms/{id}/profiles", this::start);
        r.get("/api/jvms/{id}/profiles", this::list);
        r.get("/api/profiles", ctx -> {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (ProfileCapture c : service.all()) {
                a.add(c.json());
            }
            ctx.json(a);
        });
        r.get("/api/profiles/{id}", ctx -> ctx.json(capture(ctx, "id").json()));
        r.post("/api/profiles/{id}/stop", ctx -> {
            ProfileCapture c = capture(ctx, "id");
            ctx.future(() -> service.stop(c).thenAccept(x -> ctx.json(x.json())));
        });
        r.get("/api/profiles/{id}/collapsed", ctx -> {
            ProfileCapture c = done(capture(ctx, "id"));
            ctx.header("Content-Disposition", attachment(c, "collapsed.txt"));
            ctx.contentType("text/plain; charset=utf-8").result(c.collapsed);
        });
        r.get("/api/profiles/{id}/jfr", ctx -> {
            ProfileCapture c = done(capture(ctx, "id"));
            ctx.header("Content-Disposition", attachment(c, "jfr"));
            ctx.contentType("application/octet-stream").result(c.jfr);
        });
        r.get("/api/profiles/{id}/html", ctx -> {
            ProfileCapture c = done(capture(ctx, "id"));
            String html = FlameGraphHtml.render(title(c), Collapsed.parse(c.collapsed));
            viewer(ctx, html, ctx.queryParam("download") != null ? attachment(c, "html") : null);
        });
        r.get("/api/profiles/{a}/diff/{b}", ctx -> {
            ProfileCapture[] ab = pair(ctx);
            int limit = Math.max(1, Math.min(500, parseInt(ctx.queryParam("limit"), 30)));
            ctx.json(ProfileService.diff(ab[0], ab[1], limit));
        });
        r.get("/api/profiles/{a}/diff/{b}/html", ctx -> {
            ProfileCapture[] ab = pair(ctx);
            String html = FlameGraphHtml.renderDiff("Differential " + ab[0].event + " profile: " + ab[1].id
                            + " compared with " + ab[0].id + " (orange grew, blue shrank)",
                    Collapsed.parse(ab[0].collapsed), Collapsed.parse(ab[1].collapsed));
            viewer(ctx, html, ctx.queryParam("download") != null
                    ? "attachment; filename=\"diff-" + ab[0].id + "-" + ab[1].id + ".html\"" : null);
        });
    }

    private void start(Context ctx) throws Exception {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        String text = ctx.body();
        JsonNode body = text.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(text);
        if (body == null || !body.isObject()) {
            throw new BadRequestResponse("expected a JSON object like {\"event\":\"cpu\",\"duration\":30}");
        }
        ctx.future(() -> service.start(jvm, body).thenAccept(c -> ctx.status(HttpStatus.CREATED).json(c.json())));
    }

    private void list(Context ctx) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (ProfileCapture c : service.of(jvm.id())) {
            a.add(c.json());
        }
        ctx.json(a);
    }

    private ProfileCapture capture(Context ctx, String param) {
        ProfileCapture c = service.get(ctx.pathParam(param));
        if (c == null) {
            throw new NotFoundResponse("no profile with id '" + ctx.pathParam(param) + "'");
        }
        return c;
    }

    private ProfileCapture[] pair(Context ctx) {
        ProfileCapture a = done(capture(ctx, "a"));
        ProfileCapture b = done(capture(ctx, "b"));
        if (!a.event.equals(b.event)) {
            throw new BadRequestResponse("cannot compare a " + a.event + " profile with a " + b.event + " profile");
        }
        return new ProfileCapture[] {a, b};
    }

    private static ProfileCapture done(ProfileCapture c) {
        if (!c.done()) {
            throw new ConflictResponse("profile " + c.id + " is " + c.status + (c.reason == null ? "" : ": " + c.reason));
        }
        return c;
    }

    private static void viewer(Context ctx, String html, String disposition) {
        ctx.header("Content-Security-Policy", VIEWER_CSP);
        ctx.header("X-Frame-Options", "SAMEORIGIN");
        if (disposition != null) {
            ctx.header("Content-Disposition", disposition);
        }
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    private static String attachment(ProfileCapture c, String ext) {
        String name = (c.jvmName + "-" + c.event + "-" + c.id).replaceAll("[^A-Za-z0-9._-]", "_");
        return "attachment; filename=\"" + name + "." + ext + "\"";
    }

    private static String title(ProfileCapture c) {
        String what = switch (c.event) {
            case "cpu" -> "CPU";
            case "wall" -> "Wall-clock";
            case "lock" -> "Lock";
            case "alloc" -> "Allocation";
            default -> c.event;
        };
        return what + " profile of " + c.jvmName + " (" + c.engine + ", " + c.samples + " samples"
                + (c.threads == null ? "" : ", threads matching '" + c.threads + "'") + ")";
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
