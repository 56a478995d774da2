package dev.lockscope.dashboard.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import java.util.Map;

/**
 * Remembers each JVM's identity in the store (kind {@code jvm}) when its agent connects, and restores them into
 * the registry at start, so a JVM's captures and findings history are reachable after a dashboard restart even
 * before (or without) its agent reconnecting.
 */
public final class KnownJvms {
    public static final String KIND = "jvm";

    private KnownJvms() {}

    public static void install(JvmRegistry registry, CaptureStore store) {
        for (CaptureStore.Entry e : store.list(KIND)) {
            if (e.jvmId() != null && e.meta().path("identity").isObject()) {
                registry.restore(e.jvmId(), e.meta().get("identity"), e.ts());
            }
        }
        registry.onConnect(s -> {
            ObjectNode meta = Json.MAPPER.createObjectNode();
            meta.set("identity", s.identity());
            store.put(KIND, DataDirStore.safeId(s.id()), s.id(), s.connectedAt(), meta, Map.of());
        });
    }
}
