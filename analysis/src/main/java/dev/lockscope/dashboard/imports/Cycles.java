package dev.lockscope.dashboard.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deadlock cycles in a dump's wait-for graph (each thread waits for at most one lock, owned by at most one
 * thread), written in the shape of the agent's {@code deadlock} event so the same detector explains them.
 */
final class Cycles {
    private Cycles() {}

    static ArrayNode find(List<ObjectNode> threads) {
        Map<Long, ObjectNode> byId = new HashMap<>();
        for (ObjectNode t : threads) {
            byId.put(t.path("id").asLong(), t);
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        Set<Long> done = new HashSet<>();
        for (ObjectNode start : threads) {
            List<ObjectNode> path = new ArrayList<>();
            Map<Long, Integer> index = new HashMap<>();
            ObjectNode t = start;
            while (t != null && !done.contains(t.path("id").asLong())) {
                long id = t.path("id").asLong();
                Integer seen = index.get(id);
                if (seen != null) {
                    out.add(cycle(path.subList(seen, path.size())));
                    break;
                }
                index.put(id, path.size());
                path.add(t);
                t = waitsFor(t) ? byId.get(t.path("lockOwnerId").asLong()) : null;
            }
            path.forEach(p -> done.add(p.path("id").asLong()));
        }
        return out;
    }

    private static boolean waitsFor(JsonNode t) {
        String k = t.path("waitKind").asText();
        return t.has("lockOwnerId") && (k.equals("monitor-enter") || k.equals("park"));
    }

    private static ObjectNode cycle(List<ObjectNode> c) {
        int n = c.size();
        long[] ids = c.stream().mapToLong(t -> t.path("id").asLong()).sorted().toArray();
        ObjectNode o = Json.MAPPER.createObjectNode().put("key", Arrays.toString(ids)).put("length", n);
        ArrayNode threads = o.putArray("threads");
        for (int i = 0; i < n; i++) {
            ObjectNode t = c.get(i);
            ObjectNode prev = c.get((i - 1 + n) % n);
            ObjectNode e = threads.addObject().put("id", t.path("id").asLong()).put("name", t.path("name").asText())
                    .put("state", t.path("state").asText());
            e.set("waitingFor", lock(t));
            e.put("waitingForOwnerId", t.path("lockOwnerId").asLong()).put("waitingForOwnerName",
                    t.path("lockOwnerName").asText());
            e.put("waitingAt", callSite(t.path("frames")));
            e.set("holds", lock(prev));
            String held = prev.path("waitingOn").path("identityHash").asText();
            for (JsonNode m : t.path("lockedMonitors")) {
                if (m.path("identityHash").asText().equals(held) && m.has("frame")) {
                    e.put("holdsTakenAt", m.path("frame").asText());
                    break;
                }
            }
            e.set("frames", t.path("frames"));
        }
        return o;
    }

    private static ObjectNode lock(JsonNode t) {
        return Json.MAPPER.createObjectNode().put("className", t.path("waitingOn").path("className").asText())
                .put("identityHash", t.path("waitingOn").path("identityHash").asText())
                .put("kind", "monitor-enter".equals(t.path("waitKind").asText()) ? "monitor" : "synchronizer");
    }

    /** The first frame outside the lock machinery: where the user's code asked for the lock. */
    private static String callSite(JsonNode frames) {
        for (JsonNode f : frames) {
            String s = f.asText();
            if (!s.startsWith("java.util.concurrent.locks.") && !s.startsWith("jdk.internal.misc.")
                    && !s.startsWith("java.lang.Object.wait")) {
                return s;
            }
        }
        return frames.isEmpty() ? null : frames.get(0).asText();
    }
}
