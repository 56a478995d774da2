package dev.lockscope.dashboard.profiles;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;

/**
 * A saved JFR snapshot: a capture of kind {@value #KIND} with its metadata and the .jfr file's bytes (which JDK
 * Mission Control and {@code jfr print} open). Immutable.
 *
 * @param id        dashboard-wide id ({@code jfr-…})
 * @param jvmId     the JVM it came from
 * @param jvmName   that JVM's name, for file names and lists
 * @param createdAt when the dashboard saved it (epoch ms)
 * @param fromMs    start of the window asked for (epoch ms)
 * @param toMs      end of the window asked for (epoch ms)
 * @param findingId the finding it was saved for, or null
 * @param exact     true: only events of the window (JDK 19+ target); false: whole JFR chunks overlapping it
 * @param bytes     the .jfr file
 */
public record JfrSnapshot(String id, String jvmId, String jvmName, long createdAt, long fromMs, long toMs,
                          String findingId, boolean exact, byte[] bytes) {
    public static final String KIND = "jfr-snapshot";

    /** Everything but the bytes: what a capture store keeps beside the file. */
    public ObjectNode metadata() {
        return Json.MAPPER.createObjectNode().put("kind", KIND).put("id", id).put("jvmId", jvmId)
                .put("jvmName", jvmName).put("createdAt", createdAt).put("fromMs", fromMs).put("toMs", toMs)
                .put("findingId", findingId).put("exact", exact).put("sizeBytes", bytes.length);
    }

    /** A snapshot read back from the capture store. */
    static JfrSnapshot restored(com.fasterxml.jackson.databind.JsonNode meta, byte[] bytes) {
        return new JfrSnapshot(meta.path("id").asText(), meta.path("jvmId").asText(), meta.path("jvmName").asText(),
                meta.path("createdAt").asLong(), meta.path("fromMs").asLong(), meta.path("toMs").asLong(),
                meta.path("findingId").isTextual() ? meta.path("findingId").asText() : null,
                meta.path("exact").asBoolean(), bytes);
    }

    ObjectNode json() {
        ObjectNode o = metadata();
        o.putObject("links").put("self", "/api/snapshots/" + id).put("jfr", "/api/snapshots/" + id + "/jfr");
        return o;
    }

    String fileName() {
        return (jvmName + "-" + id).replaceAll("[^A-Za-z0-9._-]", "_") + ".jfr";
    }
}
