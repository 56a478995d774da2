package dev.lockscope.dashboard.threads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.jvms.LiveJvm;
import dev.lockscope.dashboard.store.CaptureStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-dump captures and detected deadlocks, per JVM, in memory and bounded: at most {@link #MAX_CAPTURES}
 * captures and {@link #MAX_DEADLOCKS} deadlock reports per JVM, oldest dropped first. Deadlock events from the
 * agents arrive through {@link JvmRegistry#onEvent}; the dump each one carries becomes a capture.
 *
 * <p>Captures are also written to the {@link CaptureStore} (kind {@value #KIND}: {@code dump.json}, {@code dump.txt})
 * and loaded from it at start; what the store prunes is forgotten here too.
 *
 * <p>Thread-safety: all state is guarded by this object's monitor; readers get copies or immutable records.
 */
public final class ThreadCaptures {
    private static final System.Logger LOG = System.getLogger(ThreadCaptures.class.getName());
    static final int MAX_CAPTURES = 30;
    static final int MAX_DEADLOCKS = 100;
    public static final String KIND = "threaddump";

    private final AtomicLong ids = new AtomicLong();
    private final Map<String, ArrayDeque<Capture>> capturesByJvm = new HashMap<>();
    private final Map<String, Capture> byId = new HashMap<>();
    private final Map<String, ArrayDeque<Deadlock>> deadlocksByJvm = new ConcurrentHashMap<>();

    /**
     * One dump: {@code json} is the agent's structured dump without its {@code text}, which is kept apart
     * (null when the agent was asked for JSON only).
     */
    public record Capture(String id, String jvmId, long ts, String trigger, ObjectNode json, String text) {}

    /** One deadlock report: the cycles the agent found new at {@code detectedAt}, and the dump taken then. */
    public record Deadlock(String id, String jvmId, long detectedAt, long receivedAt, JsonNode cycles,
                           JsonNode blockedBehind, String note, String captureId) {}

    private final CaptureStore store;

    public ThreadCaptures(JvmRegistry registry) {
        this(registry, CaptureStore.Disabled.INSTANCE);
    }

    public ThreadCaptures(JvmRegistry registry, CaptureStore store) {
        this.store = store;
        load();
        store.onPruned((kind, id) -> {
            if (KIND.equals(kind)) {
                forget(id);
            }
        });
        registry.onEvent(this::onEvent);
        registry.onForget(this::forgetJvm);
    }

    /** Drops from memory the captures and deadlock reports of a JVM the registry forgot (the store keeps its own bounds). */
    private synchronized void forgetJvm(String jvmId) {
        ArrayDeque<Capture> q = capturesByJvm.remove(jvmId);
        if (q != null) {
            q.forEach(c -> byId.remove(c.id()));
        }
        deadlocksByJvm.remove(jvmId);
    }

    private void load() {
        for (CaptureStore.Entry e : store.list(KIND)) {
            try {
                byte[] json = store.payload(e, "dump.json");
                byte[] text = store.payload(e, "dump.txt");
                if (json == null) {
                    continue;
                }
                Capture c = new Capture(e.id(), e.jvmId(), e.ts(), e.meta().path("trigger").asText("manual"),
                        (ObjectNode) Json.MAPPER.readTree(json), text == null ? null : new String(text, StandardCharsets.UTF_8));
                keep(c);
                long n = Long.parseLong(e.id().substring(2));
                ids.accumulateAndGet(n, Math::max);
            } catch (Exception ex) {
                LOG.log(System.Logger.Level.WARNING, "skipping stored thread dump " + e.id() + ": " + ex);
            }
        }
    }

    private synchronized void forget(String id) {
        Capture c = byId.remove(id);
        if (c != null) {
            capturesByJvm.getOrDefault(c.jvmId(), new ArrayDeque<>()).remove(c);
        }
    }

    private void onEvent(JvmSession jvm, JvmSession.Event event) {
        if (!"deadlock".equals(event.kind())) {
            return;
        }
        JsonNode body = event.body();
        String captureId = null;
        if (body.path("dump").isObject()) {
            captureId = add(jvm.id(), (ObjectNode) body.get("dump").deepCopy(), "deadlock").id();
        }
        Deadlock d = new Deadlock("dl" + ids.incrementAndGet(), jvm.id(), body.path("detectedAt").asLong(event.ts()),
                System.currentTimeMillis(), body.path("cycles"), body.path("blockedBehind"),
                body.path("note").asText(null), captureId);
        synchronized (this) {
            ArrayDeque<Deadlock> q = deadlocksByJvm.computeIfAbsent(jvm.id(), k -> new ArrayDeque<>());
            q.addLast(d);
            while (q.size() > MAX_DEADLOCKS) {
                q.removeFirst();
            }
        }
    }

    /** A dump of thousands of threads on a loaded machine takes seconds; the safepoint is the JVM's, not ours. */
    static final java.time.Duration DUMP_TIMEOUT = java.time.Duration.ofSeconds(60);

    /** Asks the agent for a dump in JSON and text at once, and stores it. */
    public CompletableFuture<Capture> take(JvmSession jvm, boolean lockedSynchronizers, String trigger) {
        return jvm.request("threaddump", Map.of("format", "both", "lockedSynchronizers", lockedSynchronizers),
                        DUMP_TIMEOUT)
                .thenApply(body -> {
                    if (body == null || !body.isObject()) {
                        throw new LiveJvm.AgentErrorException("the agent answered threaddump without a dump");
                    }
                    return add(jvm.id(), (ObjectNode) body, trigger);
                });
    }

    /** Stores a dump the agent returned (its {@code text}, if any, is split off); returns the capture. */
    public Capture add(String jvmId, ObjectNode dump, String trigger) {
        JsonNode text = dump.remove("text");
        String id = "td" + ids.incrementAndGet();
        Capture c = new Capture(id, jvmId, dump.path("ts").asLong(System.currentTimeMillis()), trigger, dump,
                text == null || text.isNull() ? null : text.asText());
        keep(c);
        Map<String, byte[]> payloads = new java.util.LinkedHashMap<>();
        try {
            payloads.put("dump.json", Json.MAPPER.writeValueAsBytes(dump));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (c.text() != null) {
            payloads.put("dump.txt", c.text().getBytes(StandardCharsets.UTF_8));
        }
        store.put(KIND, id, jvmId, c.ts(), Json.MAPPER.createObjectNode().put("trigger", trigger), payloads);
        return c;
    }

    private void keep(Capture c) {
        List<Capture> evicted = new ArrayList<>();
        synchronized (this) {
            ArrayDeque<Capture> q = capturesByJvm.computeIfAbsent(c.jvmId(), k -> new ArrayDeque<>());
            q.addLast(c);
            byId.put(c.id(), c);
            while (q.size() > MAX_CAPTURES) {
                Capture old = q.removeFirst();
                byId.remove(old.id());
                evicted.add(old);
            }
        }
        evicted.forEach(old -> store.delete(KIND, old.id()));
    }

    public synchronized Capture get(String captureId) {
        return byId.get(captureId);
    }

    /** Captures of one JVM, newest first. */
    public synchronized List<Capture> captures(String jvmId) {
        List<Capture> out = new ArrayList<>(capturesByJvm.getOrDefault(jvmId, new ArrayDeque<>()));
        java.util.Collections.reverse(out);
        return out;
    }

    /** Deadlock reports of one JVM, oldest first. */
    public synchronized List<Deadlock> deadlocks(String jvmId) {
        return new ArrayList<>(deadlocksByJvm.getOrDefault(jvmId, new ArrayDeque<>()));
    }

    /** A capture's list entry: identity, time, trigger and thread counts by state (no stacks). */
    static ObjectNode summary(Capture c) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("id", c.id()).put("jvmId", c.jvmId()).put("ts", c.ts())
                .put("trigger", c.trigger()).put("hasText", c.text() != null)
                .put("lockedSynchronizers", c.json().path("lockedSynchronizers").asBoolean())
                .put("threadCount", c.json().path("threads").size())
                .put("virtualThreadCount", c.json().path("virtualThreads").path("count").asInt(0))
                .put("deadlockedThreadCount", c.json().path("deadlockedThreadIds").size());
        ObjectNode states = o.putObject("states");
        for (JsonNode t : c.json().path("threads")) {
            String s = t.path("state").asText();
            states.put(s, states.path(s).asInt() + 1);
        }
        return o;
    }

    /** The full capture as JSON: the agent's dump plus id, jvmId and trigger. */
    static ObjectNode full(Capture c) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("id", c.id()).put("jvmId", c.jvmId())
                .put("trigger", c.trigger()).put("hasText", c.text() != null);
        o.setAll(c.json());
        return o;
    }

    static ObjectNode deadlockJson(Deadlock d) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("id", d.id()).put("jvmId", d.jvmId())
                .put("detectedAt", d.detectedAt()).put("receivedAt", d.receivedAt()).put("note", d.note())
                .put("captureId", d.captureId());
        o.set("cycles", d.cycles());
        o.set("blockedBehind", d.blockedBehind());
        return o;
    }

    /**
     * Threads stuck in the same place in both captures: present in both (same id and name), in the same state,
     * with an identical, non-empty stack. Also counts threads that appeared or went away.
     */
    static ObjectNode compare(Capture a, Capture b) {
        Map<Long, JsonNode> before = new HashMap<>();
        for (JsonNode t : a.json().path("threads")) {
            before.put(t.path("id").asLong(), t);
        }
        ArrayNode stuck = Json.MAPPER.createArrayNode();
        int common = 0;
        int onlyInB = 0;
        for (JsonNode t : b.json().path("threads")) {
            JsonNode old = before.remove(t.path("id").asLong());
            if (old == null || !old.path("name").equals(t.path("name"))) {
                onlyInB++;
                continue;
            }
            common++;
            if (t.path("frames").size() > 0 && old.path("frames").equals(t.path("frames"))
                    && old.path("state").equals(t.path("state"))) {
                ObjectNode s = stuck.addObject().put("id", t.path("id").asLong()).put("name", t.path("name").asText())
                        .put("state", t.path("state").asText()).put("frame", t.path("frames").get(0).asText());
                s.set("frames", t.path("frames"));
                if (t.has("waitingOn")) {
                    s.set("waitingOn", t.get("waitingOn"));
                }
            }
        }
        List<JsonNode> sorted = new ArrayList<>();
        stuck.forEach(sorted::add);
        sorted.sort((x, y) -> {
            int r = Integer.compare(rank(x.path("state").asText()), rank(y.path("state").asText()));
            return r != 0 ? r : x.path("name").asText().compareTo(y.path("name").asText());
        });
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putObject("a").put("id", a.id()).put("ts", a.ts());
        o.putObject("b").put("id", b.id()).put("ts", b.ts());
        o.put("elapsedMs", b.ts() - a.ts()).put("commonThreads", common).put("onlyInA", before.size())
                .put("onlyInB", onlyInB).put("stuckCount", sorted.size());
        o.set("stuck", Json.MAPPER.valueToTree(sorted));
        return o;
    }

    private static int rank(String state) {
        return switch (state) {
            case "BLOCKED" -> 0;
            case "WAITING" -> 1;
            case "TIMED_WAITING" -> 2;
            case "RUNNABLE" -> 3;
            default -> 4;
        };
    }
}
