package dev.lockscope.dashboard.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.store.CaptureStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time travel over each JVM's always-on recording (agent feature {@code recording}): flame graphs of any past
 * window (collapsed stacks computed by the agent from its JFR repository) and JFR snapshots of a window, kept
 * as {@link JfrSnapshot} captures (in memory, and in the capture store when the dashboard has a data directory).
 * The single owner of both.
 *
 * <p>Flame graphs of windows that ended more than {@link #SETTLED_MS} ago never change, so the last
 * {@link #CACHED_WINDOWS} of them are cached (the viewer's HTML and the collapsed text ask for the same window).
 * Thread-safety: the cache is a synchronized LRU map, snapshots a concurrent map; both bounded.
 */
public final class RecordingService {
    static final int CACHED_WINDOWS = 16;
    static final int MAX_SNAPSHOTS = 20;
    /** A window this far in the past is complete: JFR has written every event that started in it. */
    static final long SETTLED_MS = 3_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Collapsed stacks of one window of the recording. */
    record Window(String jvmId, String jvmName, String event, long fromMs, long toMs, long samples, byte[] collapsed) {}

    private final Map<String, Window> cache = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Window> e) {
                    return size() > CACHED_WINDOWS;
                }
            });
    private final Map<String, JfrSnapshot> snapshots = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CaptureStore store;

    /** Snapshots are also kept in {@code store} (kind {@value JfrSnapshot#KIND}, payload {@code snapshot.jfr}) and read back at start. */
    RecordingService(CaptureStore store) {
        this.store = store;
        for (CaptureStore.Entry e : store.list(JfrSnapshot.KIND)) {
            byte[] bytes = store.payload(e, "snapshot.jfr");
            if (bytes != null) {
                JfrSnapshot s = JfrSnapshot.restored(e.meta(), bytes);
                snapshots.put(s.id(), s);
                try {
                    ids.accumulateAndGet(Long.parseLong(s.id().split("-")[1]), Math::max);
                } catch (RuntimeException ex) {
                    // an id of another form cannot collide with the counter's
                }
            }
        }
        store.onPruned((kind, id) -> {
            if (JfrSnapshot.KIND.equals(kind)) {
                snapshots.remove(id);
            }
        });
    }

    CompletableFuture<JsonNode> status(JvmSession jvm) {
        return jvm.request("recording.status", Map.of(), TIMEOUT);
    }

    /** The cpu or lock stacks of {@code [fromMs, toMs]}. */
    CompletableFuture<Window> window(JvmSession jvm, String event, long fromMs, long toMs) {
        String key = jvm.id() + "|" + event + "|" + fromMs + "|" + toMs;
        Window cached = cache.get(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("event", event);
        args.put("fromMs", fromMs);
        args.put("toMs", toMs);
        return jvm.request("recording.collapsed", args, TIMEOUT).thenApply(r -> {
            byte[] text = r.path("collapsed").asText("").getBytes(StandardCharsets.UTF_8);
            Collapsed.parse(text); // refuse a malformed result rather than draw it
            Window w = new Window(jvm.id(), name(jvm), event, fromMs, toMs, r.path("samples").asLong(), text);
            if (toMs < System.currentTimeMillis() - SETTLED_MS) {
                cache.put(key, w);
            }
            return w;
        });
    }

    /** Asks the agent to write the window as a .jfr file, fetches it in chunks and keeps it as a capture. */
    CompletableFuture<JfrSnapshot> snapshot(JvmSession jvm, long fromMs, long toMs, String findingId) {
        return jvm.request("recording.snapshot", Map.of("fromMs", fromMs, "toMs", toMs), TIMEOUT)
                .thenCompose(r -> {
                    String agentId = r.path("id").asText();
                    return fetch(jvm, agentId, 0, new ByteArrayOutputStream()).thenApply(bytes -> {
                        jvm.request("recording.discard", Map.of("id", agentId), TIMEOUT);
                        String id = "jfr-" + ids.incrementAndGet() + "-" + Long.toString(System.nanoTime() & 0xffffff, 36);
                        JfrSnapshot s = new JfrSnapshot(id, jvm.id(), name(jvm), System.currentTimeMillis(), fromMs, toMs,
                                findingId, r.path("exact").asBoolean(), bytes);
                        snapshots.put(id, s);
                        store.put(JfrSnapshot.KIND, id, s.jvmId(), s.createdAt(), s.metadata(), Map.of("snapshot.jfr", bytes));
                        prune();
                        return s;
                    });
                });
    }

    JfrSnapshot get(String id) {
        return snapshots.get(id);
    }

    /** Snapshots of one JVM, newest first. */
    List<JfrSnapshot> of(String jvmId) {
        List<JfrSnapshot> out = new ArrayList<>();
        for (JfrSnapshot s : snapshots.values()) {
            if (s.jvmId().equals(jvmId)) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparingLong(JfrSnapshot::createdAt).reversed());
        return out;
    }

    private CompletableFuture<byte[]> fetch(JvmSession jvm, String agentId, long offset, ByteArrayOutputStream into) {
        return jvm.request("recording.fetch", Map.of("id", agentId, "offset", offset), TIMEOUT).thenCompose(r -> {
            byte[] chunk = java.util.Base64.getDecoder().decode(r.path("data").asText(""));
            into.writeBytes(chunk);
            long next = offset + chunk.length;
            if (next >= r.path("total").asLong() || chunk.length == 0) {
                return CompletableFuture.completedFuture(into.toByteArray());
            }
            return fetch(jvm, agentId, next, into);
        });
    }

    private void prune() {
        if (snapshots.size() <= MAX_SNAPSHOTS) {
            return;
        }
        snapshots.values().stream().sorted(Comparator.comparingLong(JfrSnapshot::createdAt))
                .limit(snapshots.size() - MAX_SNAPSHOTS).forEach(s -> {
                    snapshots.remove(s.id());
                    store.delete(JfrSnapshot.KIND, s.id());
                });
    }

    private static String name(JvmSession jvm) {
        return jvm.identity() == null ? jvm.id() : jvm.identity().path("name").asText(jvm.id());
    }
}
