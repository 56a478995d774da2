package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;

/** Builds a detection's evidence object, including the {@code links} the UI turns into "open the lock" buttons. */
final class Evidence {
    private final ObjectNode node = Json.MAPPER.createObjectNode();
    private final ArrayNode links = node.putArray("links");

    Evidence window(long fromMs, long toMs) {
        node.putObject("window").put("fromMs", fromMs).put("toMs", toMs);
        return this;
    }

    /** A view of the JVM page: tab id, optional selection (lock id, pool id, capture id), label. */
    Evidence link(String tab, String selection, String label) {
        ObjectNode l = links.addObject().put("tab", tab).put("label", label);
        if (selection != null) {
            l.put("selection", selection);
        }
        return this;
    }

    ObjectNode node() {
        return node;
    }
}
