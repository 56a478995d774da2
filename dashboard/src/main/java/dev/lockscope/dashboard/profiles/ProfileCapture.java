package dev.lockscope.dashboard.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One profile the dashboard asked a JVM for, and once done its results. Status fields are volatile (written by
 * the poller, read by HTTP handlers); the result bytes are set once, before {@code status} becomes
 * {@code done}, and never change after.
 */
final class ProfileCapture {
    final String id;
    final String jvmId;
    final String jvmName;
    final String agentId;
    final String event;
    final long durationMs;
    final String threads;
    final long requestedAt;
    volatile String engine;
    volatile String engineNote;
    volatile long startedAt;
    volatile long endedAt;
    volatile String status = "running";
    volatile String reason;
    volatile long samples;
    volatile byte[] collapsed;
    volatile byte[] jfr;
    /** Set while a poll of this capture is in flight, so polls never overlap. */
    final AtomicBoolean polling = new AtomicBoolean();

    ProfileCapture(String id, String jvmId, String jvmName, String agentId, String event, long durationMs, String threads) {
        this(id, jvmId, jvmName, agentId, event, durationMs, threads, System.currentTimeMillis());
    }

    private ProfileCapture(String id, String jvmId, String jvmName, String agentId, String event, long durationMs,
                           String threads, long requestedAt) {
        this.requestedAt = requestedAt;
        this.id = id;
        this.jvmId = jvmId;
        this.jvmName = jvmName;
        this.agentId = agentId;
        this.event = event;
        this.durationMs = durationMs;
        this.threads = threads;
    }

    /** A finished capture read back from the data directory: its {@link #json()} and result files. */
    static ProfileCapture restored(JsonNode j, byte[] collapsed, byte[] jfr) {
        ProfileCapture c = new ProfileCapture(j.path("id").asText(), j.path("jvmId").asText(), j.path("jvmName").asText(),
                null, j.path("event").asText(), j.path("durationMs").asLong(), j.path("threads").asText(null),
                j.path("requestedAt").asLong());
        c.engine = j.path("engine").asText(null);
        c.engineNote = j.path("engineNote").asText(null);
        c.startedAt = j.path("startedAt").asLong();
        c.endedAt = j.path("endedAt").asLong();
        c.samples = j.path("samples").asLong();
        c.collapsed = collapsed;
        c.jfr = jfr;
        c.status = "done";
        return c;
    }

    /** A profile recorded elsewhere (an incident capture's cpu or lock graph), finished when it arrives. */
    static ProfileCapture finished(String id, String jvmId, String jvmName, String event, String engine,
                                   String engineNote, long startedAt, long endedAt, byte[] collapsed, byte[] jfr) {
        ProfileCapture c = new ProfileCapture(id, jvmId, jvmName, null, event, Math.max(0, endedAt - startedAt), null,
                startedAt);
        c.engine = engine;
        c.engineNote = engineNote;
        c.startedAt = startedAt;
        c.endedAt = endedAt;
        c.samples = Collapsed.parse(collapsed).root.total;
        c.collapsed = collapsed;
        c.jfr = jfr;
        c.status = "done";
        return c;
    }

    boolean running() {
        return "running".equals(status);
    }

    boolean done() {
        return "done".equals(status);
    }

    ObjectNode json() {
        ObjectNode o = Json.MAPPER.createObjectNode()
                .put("id", id).put("jvmId", jvmId).put("jvmName", jvmName)
                .put("event", event).put("status", status).put("reason", reason)
                .put("engine", engine).put("engineNote", engineNote)
                .put("requestedAt", requestedAt).put("startedAt", startedAt).put("endedAt", endedAt)
                .put("durationMs", durationMs).put("threads", threads).put("samples", samples);
        byte[] c = collapsed;
        byte[] j = jfr;
        o.put("collapsedBytes", c == null ? 0 : c.length).put("jfrBytes", j == null ? 0 : j.length);
        ObjectNode links = o.putObject("links");
        links.put("self", "/api/profiles/" + id);
        if (done()) {
            links.put("collapsed", "/api/profiles/" + id + "/collapsed");
            links.put("html", "/api/profiles/" + id + "/html");
            links.put("jfr", "/api/profiles/" + id + "/jfr");
        }
        return o;
    }
}
