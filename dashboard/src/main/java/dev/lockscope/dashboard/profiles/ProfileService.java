package dev.lockscope.dashboard.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.jvms.LiveJvm;
import dev.lockscope.dashboard.store.CaptureStore;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts profiles on live JVMs, follows them until they finish, collects their results (collapsed stacks and
 * JFR file, fetched in chunks) and keeps them. The single owner of {@link ProfileCapture}s.
 *
 * <p>A poller checks every running capture twice a second: a JVM that disconnected and did not come back
 * within {@link #RECONNECT_GRACE_MS} fails the capture with the reason, and nothing partial is kept (results
 * are stored only once complete).
 */
public final class ProfileService {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileService.class);
    static final long RECONNECT_GRACE_MS = 5_000;
    public static final String KIND = "profile";
    /** Captures kept in memory; beyond this the oldest finished ones are forgotten. */
    static final int MAX_CAPTURES = 100;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private final JvmRegistry registry;
    private final Map<String, ProfileCapture> captures = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "profile-poller");
        t.setDaemon(true);
        return t;
    });

    private final CaptureStore store;

    public ProfileService(JvmRegistry registry) {
        this(registry, CaptureStore.Disabled.INSTANCE);
    }

    /** Finished captures are also kept in {@code store} (kind {@value #KIND}) and read back from it at start. */
    public ProfileService(JvmRegistry registry, CaptureStore store) {
        this.registry = registry;
        this.store = store;
        load();
        store.onPruned((kind, id) -> {
            if (KIND.equals(kind)) {
                captures.remove(id);
            }
        });
        poller.scheduleWithFixedDelay(this::pollAll, 500, 500, TimeUnit.MILLISECONDS);
    }

    private void load() {
        for (CaptureStore.Entry e : store.list(KIND)) {
            byte[] collapsed = store.payload(e, "collapsed.txt");
            byte[] jfr = store.payload(e, "profile.jfr");
            if (collapsed == null) {
                continue;
            }
            ProfileCapture c = ProfileCapture.restored(e.meta(), collapsed, jfr == null ? new byte[0] : jfr);
            captures.put(c.id, c);
            try {
                ids.accumulateAndGet(Long.parseLong(c.id.split("-")[1]), Math::max);
            } catch (RuntimeException ex) {
                // an id of another form cannot collide with the counter's
            }
        }
    }

    private void persist(ProfileCapture c) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("collapsed.txt", c.collapsed);
        if (c.jfr != null && c.jfr.length > 0) {
            files.put("profile.jfr", c.jfr);
        }
        store.put(KIND, c.id, c.jvmId, c.requestedAt, c.json(), files);
    }

    /** Asks the JVM to start a profile; completes with the new capture, or with a 409 when one is running. */
    CompletableFuture<ProfileCapture> start(JvmSession jvm, JsonNode body) {
        String event = body.path("event").asText("cpu");
        if (!Set.of("cpu", "wall", "lock", "alloc").contains(event)) {
            throw new BadRequestResponse("event must be cpu, wall, lock or alloc");
        }
        double seconds = body.path("duration").asDouble(30);
        if (!(seconds >= 0 && seconds <= 3600)) {
            throw new BadRequestResponse("duration must be 0 (until stopped) to 3600 seconds");
        }
        for (ProfileCapture c : captures.values()) {
            if (c.jvmId.equals(jvm.id()) && c.running()) {
                throw new ConflictResponse("busy: profile " + c.id + " (" + c.event + ") is already running on this JVM");
            }
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("event", event);
        args.put("durationMs", Math.round(seconds * 1000));
        String threads = body.path("threads").asText("").strip();
        if (!threads.isEmpty()) {
            args.put("threads", threads);
        }
        if (body.path("byThread").asBoolean(false)) {
            args.put("byThread", true);
        }
        if (body.has("interval")) {
            args.put("intervalMs", body.path("interval").asLong());
        }
        if (body.has("threshold")) {
            args.put("thresholdMs", body.path("threshold").asLong());
        }
        String name = jvm.identity() == null ? jvm.id() : jvm.identity().path("name").asText(jvm.id());
        return jvm.request("profile.start", args, REQUEST_TIMEOUT)
                .exceptionally(t -> {
                    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                    if (cause instanceof LiveJvm.AgentErrorException && String.valueOf(cause.getMessage()).startsWith("busy")) {
                        throw new ConflictResponse(cause.getMessage());
                    }
                    throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
                })
                .thenApply(r -> {
                    String id = "prof-" + ids.incrementAndGet() + "-" + Long.toString(System.nanoTime() & 0xffffff, 36);
                    ProfileCapture c = new ProfileCapture(id, jvm.id(), name, r.path("id").asText(), event,
                            Math.round(seconds * 1000), threads.isEmpty() ? null : threads);
                    update(c, r);
                    captures.put(id, c);
                    prune();
                    return c;
                });
    }

    /**
     * Adds a finished {@code event} profile of the archive JVM {@code jvmId} (an incident capture's flame graph),
     * listed and viewed like any capture. Kept in memory only: the archive itself is the record.
     */
    public void addArchived(String jvmId, String jvmName, String event, String engine, String engineNote,
                            long startedAt, long endedAt, byte[] collapsed, byte[] jfr) {
        String id = "prof-" + ids.incrementAndGet() + "-" + Long.toString(System.nanoTime() & 0xffffff, 36);
        captures.put(id, ProfileCapture.finished(id, jvmId, jvmName, event, engine, engineNote, startedAt, endedAt,
                collapsed, jfr));
        prune();
    }

    CompletableFuture<ProfileCapture> stop(ProfileCapture c) {
        JvmSession jvm = registry.get(c.jvmId);
        if (!c.running() || jvm == null) {
            return CompletableFuture.completedFuture(c);
        }
        return jvm.request("profile.stop", Map.of("id", c.agentId), REQUEST_TIMEOUT).thenApply(r -> c);
    }

    ProfileCapture get(String id) {
        return captures.get(id);
    }

    /** Captures of every JVM, newest first. */
    List<ProfileCapture> all() {
        return of(null);
    }

    /** Captures of one JVM (all when null), newest first. */
    List<ProfileCapture> of(String jvmId) {
        List<ProfileCapture> out = new ArrayList<>();
        for (ProfileCapture c : captures.values()) {
            if (jvmId == null || c.jvmId.equals(jvmId)) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparingLong((ProfileCapture c) -> c.requestedAt).reversed());
        return out;
    }

    private static void update(ProfileCapture c, JsonNode r) {
        c.engine = r.path("engine").asText(null);
        c.engineNote = r.path("engineNote").isTextual() ? r.path("engineNote").asText() : null;
        c.startedAt = r.path("startedAt").asLong();
    }

    private void pollAll() {
        for (ProfileCapture c : captures.values()) {
            if (c.running() && c.polling.compareAndSet(false, true)) {
                try {
                    poll(c).whenComplete((v, t) -> {
                        c.polling.set(false);
                        if (t != null) {
                            LOG.debug("poll of {} failed: {}", c.id, t.toString());
                        }
                    });
                } catch (RuntimeException e) {
                    c.polling.set(false);
                }
            }
        }
    }

    private CompletableFuture<Void> poll(ProfileCapture c) {
        JvmSession jvm = registry.get(c.jvmId);
        if (jvm == null || !jvm.connected()) {
            long since = jvm == null ? 0 : jvm.disconnectedAt();
            if (jvm == null || System.currentTimeMillis() - since >= RECONNECT_GRACE_MS) {
                fail(c, "the JVM disconnected during the profile (it exited or lost its connection to the dashboard); "
                        + "no result was kept");
            }
            return CompletableFuture.completedFuture(null);
        }
        return jvm.request("profile.status", Map.of("id", c.agentId), REQUEST_TIMEOUT).thenCompose(r -> {
            switch (r.path("status").asText()) {
                case "done" -> {
                    return collect(jvm, c, r);
                }
                case "failed" -> fail(c, r.path("reason").asText("the agent reported a failure"));
                default -> { }
            }
            return CompletableFuture.completedFuture(null);
        }).exceptionally(t -> {
            Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            if (cause instanceof LiveJvm.AgentErrorException) {
                // e.g. the agent restarted and no longer knows this profile
                fail(c, "the agent lost the profile: " + cause.getMessage());
            }
            return null; // unavailable: the next poll decides (grace period)
        });
    }

    private CompletableFuture<Void> collect(JvmSession jvm, ProfileCapture c, JsonNode status) {
        return fetch(jvm, c.agentId, "collapsed", 0, new ByteArrayOutputStream())
                .thenCompose(collapsed -> fetch(jvm, c.agentId, "jfr", 0, new ByteArrayOutputStream())
                        .thenAccept(jfr -> {
                            Collapsed.parse(collapsed); // refuse a malformed result rather than keep it
                            c.collapsed = collapsed;
                            c.jfr = jfr;
                            c.samples = status.path("samples").asLong();
                            c.endedAt = status.path("endedAt").asLong();
                            c.status = "done";
                            persist(c);
                            jvm.request("profile.discard", Map.of("id", c.agentId), REQUEST_TIMEOUT);
                        }))
                .exceptionally(t -> {
                    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                    fail(c, "collecting the result failed: " + cause.getMessage());
                    return null;
                });
    }

    /** Fetches a whole result file in chunks (each response stays far below the 32 MB frame limit). */
    private CompletableFuture<byte[]> fetch(JvmSession jvm, String agentId, String format, long offset,
                                            ByteArrayOutputStream into) {
        Map<String, Object> args = Map.of("id", agentId, "format", format, "offset", offset);
        return jvm.request("profile.fetch", args, REQUEST_TIMEOUT).thenCompose(r -> {
            byte[] chunk = Base64.getDecoder().decode(r.path("data").asText(""));
            into.writeBytes(chunk);
            long total = r.path("total").asLong();
            long next = offset + chunk.length;
            if (next >= total || chunk.length == 0) {
                return CompletableFuture.completedFuture(into.toByteArray());
            }
            return fetch(jvm, agentId, format, next, into);
        });
    }

    private static void fail(ProfileCapture c, String reason) {
        if (c.running()) {
            c.reason = reason;
            c.endedAt = System.currentTimeMillis();
            c.collapsed = null;
            c.jfr = null;
            c.status = "failed";
        }
    }

    private void prune() {
        if (captures.size() <= MAX_CAPTURES) {
            return;
        }
        captures.values().stream().filter(c -> !c.running())
                .sorted(Comparator.comparingLong(c -> c.requestedAt))
                .limit(captures.size() - MAX_CAPTURES)
                .forEach(c -> {
                    captures.remove(c.id);
                    store.delete(KIND, c.id);
                });
    }

    /** What grew and what shrank from {@code a} to {@code b}: self-sample shares per frame, biggest changes first. */
    static ObjectNode diff(ProfileCapture a, ProfileCapture b, int limit) {
        Collapsed ca = Collapsed.parse(a.collapsed);
        Collapsed cb = Collapsed.parse(b.collapsed);
        Map<String, Long> sa = ca.selfByFrame();
        Map<String, Long> sb = cb.selfByFrame();
        Set<String> frames = new HashSet<>(sa.keySet());
        frames.addAll(sb.keySet());
        record Change(String frame, double aPct, double bPct) {
            double delta() {
                return bPct - aPct;
            }
        }
        List<Change> changes = new ArrayList<>();
        for (String f : frames) {
            double pa = ca.root.total == 0 ? 0 : 100.0 * sa.getOrDefault(f, 0L) / ca.root.total;
            double pb = cb.root.total == 0 ? 0 : 100.0 * sb.getOrDefault(f, 0L) / cb.root.total;
            changes.add(new Change(f, pa, pb));
        }
        ObjectNode o = Json.MAPPER.createObjectNode().put("a", a.id).put("b", b.id).put("event", a.event)
                .put("aSamples", ca.root.total).put("bSamples", cb.root.total);
        ArrayNode grew = o.putArray("grew");
        changes.stream().filter(c -> c.delta() > 0).sorted(Comparator.comparingDouble(Change::delta).reversed())
                .limit(limit).forEach(c -> grew.addObject().put("frame", c.frame()).put("aSelfPct", round(c.aPct()))
                        .put("bSelfPct", round(c.bPct())).put("deltaPct", round(c.delta())));
        ArrayNode shrank = o.putArray("shrank");
        changes.stream().filter(c -> c.delta() < 0).sorted(Comparator.comparingDouble(Change::delta))
                .limit(limit).forEach(c -> shrank.addObject().put("frame", c.frame()).put("aSelfPct", round(c.aPct()))
                        .put("bSelfPct", round(c.bPct())).put("deltaPct", round(c.delta())));
        o.put("html", "/api/profiles/" + a.id + "/diff/" + b.id + "/html");
        return o;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
