package dev.lockscope.dashboard.threads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.jvms.Windows;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;

/**
 * Thread dumps and deadlocks over HTTP:
 * <ul>
 *   <li>{@code POST /api/jvms/{id}/threaddump} {@code {"lockedSynchronizers": false}}: takes and stores a dump,
 *       answers its summary ({@code id} is the capture id);</li>
 *   <li>{@code GET /api/jvms/{id}/threaddump[?format=text][&lockedSynchronizers=true]}: takes, stores and returns
 *       one (JSON, or the JVM's own jstack text as text/plain);</li>
 *   <li>{@code GET /api/jvms/{id}/threaddumps[?from=&to=]}: the captures, newest first; with a brushed window
 *       ({@code from}/{@code to}, epoch ms) only those taken inside it;</li>
 *   <li>{@code GET /api/threaddumps/{captureId}[?format=text][&download=true]};</li>
 *   <li>{@code GET /api/threaddumps/{a}/compare/{b}}: threads stuck in the same frames in both;</li>
 *   <li>{@code GET /api/jvms/{id}/deadlocks[?from=&to=]}: detected deadlocks with cycles and capture ids; with a
 *       brushed window only those detected by its end (a Java deadlock never resolves: one detected earlier still
 *       holds during the window).</li>
 * </ul>
 */
public final class ThreadRoutes implements RouteGroup {
    static final Duration DUMP_TIMEOUT = Duration.ofSeconds(60);
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final JvmRegistry registry;
    private final ThreadCaptures captures;

    public ThreadRoutes(JvmRegistry registry, ThreadCaptures captures) {
        this.registry = registry;
        this.captures = captures;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.post("/api/jvms/{id}/threaddump", this::takeDump);
        r.get("/api/jvms/{id}/threaddump", this::getDump);
        r.get("/api/jvms/{id}/threaddumps", this::list);
        r.get("/api/jvms/{id}/deadlocks", this::deadlocks);
        r.get("/api/threaddumps/{captureId}", this::capture);
        r.get("/api/threaddumps/{a}/compare/{b}", this::compare);
    }

    private CompletableFuture<ThreadCaptures.Capture> take(JvmSession jvm, boolean lockedSynchronizers, String trigger) {
        return captures.take(jvm, lockedSynchronizers, trigger);
    }

    private void takeDump(Context ctx) throws Exception {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        JsonNode body = ctx.body().isBlank() ? null : Json.MAPPER.readTree(ctx.body());
        boolean sync = body != null && body.path("lockedSynchronizers").asBoolean(false);
        ctx.future(() -> take(jvm, sync, "manual").thenAccept(c -> ctx.json(ThreadCaptures.summary(c))));
    }

    private void getDump(Context ctx) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        boolean sync = "true".equals(ctx.queryParam("lockedSynchronizers"));
        boolean text = text(ctx);
        ctx.future(() -> take(jvm, sync, "manual").thenAccept(c -> send(ctx, c, text)));
    }

    private void list(Context ctx) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        ArrayNode a = Json.MAPPER.createArrayNode();
        Windows.Range range = brushed(ctx);
        captures.captures(jvm.id()).stream()
                .filter(c -> range == null || (c.ts() >= range.endMs() - range.windowMs() && c.ts() <= range.endMs()))
                .forEach(c -> a.add(ThreadCaptures.summary(c)));
        ctx.json(a);
    }

    private void deadlocks(Context ctx) {
        JvmSession jvm = JvmRoutes.jvm(ctx, registry);
        ArrayNode a = Json.MAPPER.createArrayNode();
        Windows.Range range = brushed(ctx);
        captures.deadlocks(jvm.id()).stream()
                .filter(d -> range == null || d.detectedAt() <= range.endMs())
                .forEach(d -> a.add(ThreadCaptures.deadlockJson(d)));
        ctx.json(a);
    }

    /**
     * The brushed window ({@code ?from=&to=}), or null: without one the lists are whole, whatever {@code ?window=}
     * says, because captures are few and each was asked for (or taken at a deadlock), not a stream of samples.
     */
    private static Windows.Range brushed(Context ctx) {
        return ctx.queryParam("from") == null && ctx.queryParam("to") == null ? null : Windows.rangeFromQuery(ctx);
    }

    private void capture(Context ctx) {
        send(ctx, find(ctx.pathParam("captureId")), text(ctx));
    }

    private void compare(Context ctx) {
        ThreadCaptures.Capture a = find(ctx.pathParam("a"));
        ThreadCaptures.Capture b = find(ctx.pathParam("b"));
        if (!a.jvmId().equals(b.jvmId())) {
            throw new BadRequestResponse("captures " + a.id() + " and " + b.id() + " are of different JVMs");
        }
        ctx.json(a.ts() <= b.ts() ? ThreadCaptures.compare(a, b) : ThreadCaptures.compare(b, a));
    }

    private ThreadCaptures.Capture find(String id) {
        ThreadCaptures.Capture c = captures.get(id);
        if (c == null) {
            throw new NotFoundResponse("no thread dump capture '" + id + "' (captures are kept in memory, "
                    + ThreadCaptures.MAX_CAPTURES + " per JVM)");
        }
        return c;
    }

    private static boolean text(Context ctx) {
        String f = ctx.queryParam("format");
        if (f == null || f.equals("json")) {
            return false;
        }
        if (f.equals("text")) {
            return true;
        }
        throw new BadRequestResponse("format must be json or text");
    }

    private void send(Context ctx, ThreadCaptures.Capture c, boolean text) {
        String base = "threaddump-" + c.json().path("pid").asLong() + "-" + FILE_TIME.format(Instant.ofEpochMilli(c.ts()));
        boolean download = "true".equals(ctx.queryParam("download"));
        if (text) {
            if (c.text() == null) {
                throw new NotFoundResponse("capture " + c.id() + " has no text dump");
            }
            ctx.header("Content-Disposition", (download ? "attachment" : "inline") + "; filename=\"" + base + ".txt\"");
            ctx.contentType("text/plain; charset=utf-8").result(c.text());
        } else {
            if (download) {
                ctx.header("Content-Disposition", "attachment; filename=\"" + base + ".json\"");
            }
            ctx.json(ThreadCaptures.full(c));
        }
    }
}
