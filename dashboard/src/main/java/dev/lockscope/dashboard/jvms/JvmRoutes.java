package dev.lockscope.dashboard.jvms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.RouteGroup;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.sse.SseClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The JVM list and each JVM's live sample stream: {@code GET /api/jvms}, {@code GET /api/jvms/{id}},
 * {@code GET /api/jvms/{id}/samples?window=}, {@code GET /api/jvms/{id}/events}, and the server-sent event
 * streams {@code /api/stream} (the list, once a second) and {@code /api/jvms/{id}/stream} (each sample).
 */
public final class JvmRoutes implements RouteGroup {
    private final JvmRegistry registry;
    private final List<SseClient> listClients = new CopyOnWriteArrayList<>();
    private final List<JvmStreamClient> jvmClients = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jvm-list-stream");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, Function<JvmSession, JsonNode>> summaryFields = new LinkedHashMap<>();

    private record JvmStreamClient(String jvmId, SseClient client) {}

    public JvmRoutes(JvmRegistry registry) {
        this.registry = registry;
        registry.onSample(this::pushSample);
        ticker.scheduleAtFixedRate(this::pushList, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get("/api/jvms", ctx -> ctx.json(list()));
        r.get("/api/jvms/{id}", ctx -> ctx.json(summary(jvm(ctx, registry))));
        r.get("/api/jvms/{id}/samples", this::samples);
        r.get("/api/jvms/{id}/events", this::events);
        r.sse("/api/stream", client -> {
            client.keepAlive();
            client.onClose(() -> listClients.remove(client));
            listClients.add(client);
            client.sendEvent("jvms", list().toString());
        });
        r.sse("/api/jvms/{id}/stream", client -> {
            JvmSession s = registry.get(client.ctx().pathParam("id"));
            if (s == null) {
                client.sendEvent("error", "no JVM with id " + client.ctx().pathParam("id"));
                client.close();
                return;
            }
            client.keepAlive();
            JvmStreamClient c = new JvmStreamClient(s.id(), client);
            client.onClose(() -> jvmClients.remove(c));
            jvmClients.add(c);
            JvmSession.Sample latest = s.latest();
            if (latest != null) {
                client.sendEvent("sample", sampleJson(latest).toString());
            }
        });
    }

    /** The JVM named by the {@code {id}} path parameter, or a 404. */
    public static JvmSession jvm(Context ctx, JvmRegistry registry) {
        JvmSession s = registry.get(ctx.pathParam("id"));
        if (s == null) {
            throw new NotFoundResponse("no JVM with id '" + ctx.pathParam("id") + "'");
        }
        return s;
    }

    private ArrayNode list() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (JvmSession s : registry.all()) {
            a.add(summary(s));
        }
        return a;
    }

    /**
     * Adds a field computed by another capability (findings, deadlocks) to every JVM summary. Call before the
     * server starts.
     */
    public void summaryField(String name, Function<JvmSession, JsonNode> value) {
        summaryFields.put(name, value);
    }

    /** What {@code GET /api/jvms} returns per JVM: identity, connection state and the latest sample. */
    ObjectNode summary(JvmSession s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        JsonNode id = s.identity();
        o.put("id", s.id());
        o.put("pid", id.path("pid").asLong());
        o.put("name", id.path("name").asText());
        o.put("host", id.path("host").asText());
        o.put("mainClass", id.path("mainClass").asText());
        o.put("jvmVendor", id.path("jvmVendor").asText());
        o.put("jvmVersion", id.path("jvmVersion").asText());
        o.put("startTime", id.path("startTime").asLong());
        o.put("agentVersion", id.path("agentVersion").asText());
        o.set("inputArguments", id.path("inputArguments"));
        JvmSession.Sample newest = s.latest();
        JsonNode running = newest == null ? null : newest.body().path("agent").path("features");
        // Features still starting at hello time show up in later samples.
        o.set("features", running != null && running.isArray() ? running : Json.MAPPER.valueToTree(s.features()));
        o.put("connected", s.connected());
        o.put("connectedAt", s.connectedAt());
        o.put("disconnectedAt", s.disconnectedAt());
        o.put("lastSeenAt", s.lastSeenAt());
        o.put("connects", s.connects());
        o.put("received", s.received());
        o.put("archive", s.archive());
        JvmSession.Sample latest = s.latest();
        o.set("sample", latest == null ? null : latest.body());
        o.put("sampleTs", latest == null ? 0 : latest.ts());
        summaryFields.forEach((name, f) -> o.set(name, f.apply(s)));
        dev.lockscope.dashboard.threads.DeadlockStatus.addTo(o, s);
        return o;
    }

    private void samples(Context ctx) {
        JvmSession s = jvm(ctx, registry);
        Windows.Range range = Windows.rangeFromQuery(ctx);
        long end = range.live() ? s.now() : range.endMs();
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (JvmSession.Sample sample : s.samplesSince(end - range.windowMs())) {
            if (sample.ts() <= end || range.live()) {
                a.add(sampleJson(sample));
            }
        }
        ctx.json(a);
    }

    private void events(Context ctx) {
        JvmSession s = jvm(ctx, registry);
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (JvmSession.Event e : s.events(ctx.queryParam("kind"))) {
            ObjectNode o = a.addObject().put("kind", e.kind()).put("seq", e.seq()).put("ts", e.ts());
            o.set("body", e.body());
        }
        ctx.json(a);
    }

    private static ObjectNode sampleJson(JvmSession.Sample sample) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("seq", sample.seq()).put("ts", sample.ts());
        o.set("body", sample.body());
        return o;
    }

    private void pushList() {
        if (listClients.isEmpty()) {
            return;
        }
        String data = list().toString();
        for (SseClient c : listClients) {
            if (!send(c, "jvms", data)) {
                listClients.remove(c);
            }
        }
    }

    /** Stops the once-a-second list push; called when the server stops (which closes the streams itself). */
    public void close() {
        ticker.shutdownNow();
        listClients.clear();
        jvmClients.clear();
    }

    private void pushSample(JvmSession s) {
        if (jvmClients.isEmpty()) {
            return;
        }
        JvmSession.Sample latest = s.latest();
        String data = sampleJson(latest).toString();
        for (JvmStreamClient c : jvmClients) {
            if (c.jvmId().equals(s.id()) && !send(c.client(), "sample", data)) {
                jvmClients.remove(c);
            }
        }
    }

    /** Sends one event; false when the browser went away (the caller drops the client). */
    private static boolean send(SseClient c, String event, String data) {
        if (c.terminated()) {
            return false;
        }
        try {
            c.sendEvent(event, data);
            return !c.terminated();
        } catch (RuntimeException e) {
            c.close();
            return false;
        }
    }
}
