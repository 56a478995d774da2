package dev.lockscope.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.agents.AgentEndpoint;
import dev.lockscope.dashboard.archives.ArchiveRoutes;
import dev.lockscope.dashboard.controls.ControlRoutes;
import dev.lockscope.dashboard.attach.AttachRoutes;
import dev.lockscope.dashboard.attach.LocalAttach;
import dev.lockscope.dashboard.findings.Detectors;
import dev.lockscope.dashboard.findings.FindingRoutes;
import dev.lockscope.dashboard.findings.FindingsEngine;
import dev.lockscope.dashboard.imports.ImportRoutes;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmRoutes;
import dev.lockscope.dashboard.jvms.LiveJvm;
import dev.lockscope.dashboard.locks.LockRoutes;
import dev.lockscope.dashboard.metrics.DashboardMetrics;
import dev.lockscope.dashboard.metrics.MetricsRoutes;
import dev.lockscope.dashboard.pools.PoolRoutes;
import dev.lockscope.dashboard.profiles.ProfileRoutes;
import dev.lockscope.dashboard.profiles.RecordingRoutes;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import dev.lockscope.dashboard.security.AccessPolicy;
import dev.lockscope.dashboard.security.JsonErrorHandler;
import dev.lockscope.dashboard.security.RequestGuard;
import dev.lockscope.dashboard.store.CaptureStore;
import dev.lockscope.dashboard.store.DataDirStore;
import dev.lockscope.dashboard.store.KnownJvms;
import dev.lockscope.dashboard.threads.ThreadRoutes;
import dev.lockscope.dashboard.waits.WaitRoutes;
import dev.lockscope.protocol.Protocol;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Builds the dashboard: an unstarted {@link Javalin} given its configuration. {@code main} starts it on the
 * configured address; tests start it on port 0.
 */
public final class DashboardApp {
    private DashboardApp() {}

    public static Javalin create(DashboardConfig config) {
        return create(config, new JvmRegistry(new JvmRegistry.Retention((int) Math.max(10, config.history().toSeconds()),
                config.maxEvents(), config.maxDisconnected())));
    }

    public static Javalin create(DashboardConfig config, JvmRegistry registry) {
        AccessPolicy access = new AccessPolicy(config.token(), config.loopbackOnly());
        RequestGuard guard = new RequestGuard(access);
        AgentEndpoint agents = new AgentEndpoint(registry, access);
        CaptureStore store = config.dataDir() == null ? CaptureStore.Disabled.INSTANCE
                : DataDirStore.open(config.dataDir(), config.dataMaxAge(), config.dataMaxBytes());
        KnownJvms.install(registry, store);
        ThreadCaptures captures = new ThreadCaptures(registry, store); // before the findings engine: it reads them
        long findingsWindow = config.findingsWindow().toMillis();
        FindingsEngine findings = new FindingsEngine(registry, Detectors.all(findingsWindow, captures), store, findingsWindow,
                captures);
        JvmRoutes jvms = new JvmRoutes(registry);
        jvms.summaryField("findings", s -> findings.summary(s.id()));
        jvms.summaryField("imported", s -> com.fasterxml.jackson.databind.node.BooleanNode.valueOf(
                s.identity() != null && s.identity().path("imported").asBoolean()));
        ProfileRoutes profiles = new ProfileRoutes(registry, store);
        List<RouteGroup> groups = List.of(
                jvms,
                new SessionRoutes(access),
                new FindingRoutes(registry, findings),
                new LockRoutes(registry),
                new ThreadRoutes(registry, captures),
                new PoolRoutes(registry),
                profiles,
                new RecordingRoutes(registry, store),
                new ControlRoutes(registry, jvms),
                new WaitRoutes(registry),
                new MetricsRoutes(new DashboardMetrics(registry, findings)),
                new ImportRoutes(registry, captures),
                new ArchiveRoutes(registry, captures, profiles.service()),
                new AttachRoutes(new LocalAttach(config.uiAttachEnabled(), config.uiAttach() == DashboardConfig.UiAttach.OFF
                        ? "attaching from the UI is off (--ui-attach off)"
                        : "attaching from the UI is off because the dashboard serves beyond loopback; start it with --ui-attach on to allow it",
                        config.agentJar(), config.token(), registry)));
        return Javalin.create(c -> {
            c.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = ArchiveRoutes.MAX_REQUEST_BYTES; // an uploaded capture archive
            c.staticFiles.add("/public", Location.CLASSPATH);
            c.staticFiles.enableWebjars();
            c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            c.jetty.modifyWebSocketServletFactory(f -> {
                f.setMaxTextMessageSize(Protocol.MAX_FRAME_BYTES);
                f.setMaxBinaryMessageSize(64 * 1024);
            });
            c.events.serverStopped(jvms::close);
            c.events.serverStopped(() -> {
                findings.flush();
                store.close();
            });
            c.routes.before(guard::handle);
            c.routes.ws(Protocol.AGENT_PATH, agents::configure);
            for (RouteGroup g : groups) {
                g.addRoutes(c.routes);
            }
            c.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            c.routes.exception(LiveJvm.AgentUnavailableException.class, (e, ctx) -> error(ctx, 503, e.getMessage()));
            c.routes.exception(LiveJvm.AgentErrorException.class, (e, ctx) -> error(ctx, 502, e.getMessage()));
            c.routes.exception(CompletionException.class, (e, ctx) -> {
                Throwable cause = e.getCause();
                int status = cause instanceof LiveJvm.AgentUnavailableException ? 503
                        : cause instanceof LiveJvm.AgentErrorException ? 502
                        : cause instanceof HttpResponseException h ? h.getStatus() : 500;
                error(ctx, status, cause == null ? e.getMessage() : cause.getMessage());
            });
            c.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            // A request body that is not JSON is the caller's mistake, on every route (found by HttpApiFuzzTest).
            c.routes.exception(com.fasterxml.jackson.core.JsonProcessingException.class,
                    (e, ctx) -> error(ctx, 400, "malformed JSON body: " + e.getOriginalMessage()));
        });
    }

    /** Every API error is JSON: {@code {"status": 404, "error": "..."}}. */
    static void error(Context ctx, int status, String message) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("status", status).put("error", message);
        ctx.status(HttpStatus.forStatus(status)).json(o);
    }
}
