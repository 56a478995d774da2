package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;

/** One finding's life: opened when first detected, updated while detected, closed when it clears. */
final class Finding {
    final String id;
    final String kind;
    final String key;
    final long startedAt;
    Detection latest;
    long updatedAt;
    long endedAt;
    /** Evaluations in a row without this detection; the finding closes at {@link FindingsEngine#CLOSE_AFTER}. */
    int missed;
    /** Start of the finding's time window: the earliest data its detector judged when it opened. */
    final long windowFromMs;
    /** The thread dump taken when it opened (set when the dump arrives; null until then or if it failed). */
    volatile String threadDumpId;

    Finding(String id, String kind, Detection d, long now, long windowFromMs) {
        this.id = id;
        this.windowFromMs = windowFromMs;
        this.kind = kind;
        this.key = d.key();
        this.startedAt = now;
        this.latest = d;
        this.updatedAt = now;
    }

    /**
     * A finding read back from the data directory. One stored while open (the dashboard stopped meanwhile) comes
     * back closed at its last update: whether it went on is unknown, and if it did, detection opens a new one.
     */
    static Finding restored(JsonNode j) {
        ObjectNode evidence = j.path("evidence").isObject() ? (ObjectNode) j.get("evidence") : Json.MAPPER.createObjectNode();
        Severity severity;
        try {
            severity = Severity.valueOf(j.path("severity").asText().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            severity = Severity.INFO;
        }
        Detection d = new Detection(j.path("key").asText(), severity, j.path("title").asText(),
                j.path("explanation").asText(), j.path("fix").asText(), evidence);
        long startedAt = j.path("startedAt").asLong();
        Finding f = new Finding(j.path("id").asText(), j.path("kind").asText(), d, startedAt,
                j.at("/timeTravel/fromMs").asLong(startedAt));
        f.threadDumpId = j.at("/timeTravel/threadDump").isTextual() ? j.at("/timeTravel/threadDump").asText() : null;
        f.updatedAt = j.path("updatedAt").asLong(f.startedAt);
        f.endedAt = j.path("endedAt").asLong(Math.max(f.updatedAt, f.startedAt + 1));
        return f;
    }

    boolean open() {
        return endedAt == 0;
    }

    /**
     * The finding with its time window and the views of it: cpu and lock flame graphs of that window from the
     * JVM's always-on recording, and the thread dump taken when it opened.
     */
    ObjectNode toJson(String jvmId) {
        ObjectNode o = toJson();
        String jvm = java.net.URLEncoder.encode(jvmId, java.nio.charset.StandardCharsets.UTF_8);
        long to = open() ? updatedAt : endedAt;
        String q = "&from=" + windowFromMs + "&to=" + Math.max(to, windowFromMs + 1);
        ObjectNode t = o.putObject("timeTravel").put("fromMs", windowFromMs).put("toMs", Math.max(to, windowFromMs + 1));
        t.put("cpuFlameGraph", "/api/jvms/" + jvm + "/recording/html?event=cpu" + q);
        t.put("lockFlameGraph", "/api/jvms/" + jvm + "/recording/html?event=lock" + q);
        t.put("threadDump", threadDumpId);
        return o;
    }

    ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode()
                .put("id", id).put("kind", kind).put("key", key)
                .put("severity", latest.severity().name().toLowerCase())
                .put("state", open() ? "open" : "closed")
                .put("title", latest.title()).put("explanation", latest.explanation()).put("fix", latest.fix())
                .put("startedAt", startedAt).put("updatedAt", updatedAt);
        if (!open()) {
            o.put("endedAt", endedAt);
        }
        o.put("durationMs", (open() ? updatedAt : endedAt) - startedAt);
        o.set("evidence", latest.evidence());
        return o;
    }
}
