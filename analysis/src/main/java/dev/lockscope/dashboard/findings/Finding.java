package dev.lockscope.dashboard.findings;

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

    Finding(String id, String kind, Detection d, long now) {
        this.id = id;
        this.kind = kind;
        this.key = d.key();
        this.startedAt = now;
        this.latest = d;
        this.updatedAt = now;
    }

    boolean open() {
        return endedAt == 0;
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
