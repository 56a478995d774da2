package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import dev.lockscope.dashboard.store.CaptureStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs every {@link Detector} on each JVM after each sample (and at once on agent events such as a deadlock),
 * and keeps each JVM's findings: open ones, updated while detected, closed after {@link #CLOSE_AFTER}
 * evaluations without a detection, and a bounded history of closed ones.
 *
 * <p>Thread-safety: evaluation of one JVM is serialised on its {@link JvmFindings}; readers get JSON copies.
 */
public final class FindingsEngine {
    /** The JDK's logger, not slf4j: this engine also runs inside the agent's offline capture, which ships no slf4j. */
    private static final System.Logger LOG = System.getLogger(FindingsEngine.class.getName());
    /** Three quiet evaluations (about 3 s) before closing: one noisy second must not flap a finding. */
    static final int CLOSE_AFTER = (int) Thresholds.whole("closeAfterEvaluations", 3);
    /** Closed findings kept per JVM. */
    static final int HISTORY = 200;

    /** A dump taken this recently (by anyone) is "the dump taken when the finding opened": no second safepoint. */
    static final long DUMP_REUSE_MS = 5_000;

    private final List<Detector> detectors;
    private final long windowMs;
    private final ThreadCaptures captures;
    private final Map<String, JvmFindings> byJvm = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private static final class JvmFindings {
        final Map<String, Finding> open = new LinkedHashMap<>();
        final Deque<Finding> closed = new ArrayDeque<>();
    }

    public static final String KIND = "finding";

    private final CaptureStore store;

    public FindingsEngine(JvmRegistry registry, List<Detector> detectors) {
        this(registry, detectors, CaptureStore.Disabled.INSTANCE);
    }

    public FindingsEngine(JvmRegistry registry, List<Detector> detectors, CaptureStore store) {
        this(registry, detectors, store, 10_000, null);
    }

    /**
     * Findings are written to {@code store} (kind {@value #KIND}, metadata only) when they open, when they close
     * and at {@link #flush()}; the stored history is read back at start.
     *
     * @param windowMs how much recent data the detectors judge: a finding's time window starts that long before it opened
     * @param captures where the thread dump taken when a finding opens is kept (null: no dump is taken)
     */
    public FindingsEngine(JvmRegistry registry, List<Detector> detectors, CaptureStore store, long windowMs,
                          ThreadCaptures captures) {
        this.detectors = List.copyOf(detectors);
        this.store = store;
        this.windowMs = windowMs;
        this.captures = captures;
        load();
        store.onPruned((kind, id) -> {
            if (KIND.equals(kind)) {
                byJvm.values().forEach(f -> {
                    synchronized (f) {
                        f.closed.removeIf(x -> x.id.equals(id));
                    }
                });
            }
        });
        registry.onSample(jvm -> {
            JvmSession.Sample s = jvm.latest();
            if (s != null) {
                evaluate(jvm, s.ts());
            }
        });
        // Lock waits arrive up to thousands a second per JVM; the detectors reading them judge a window and run
        // on the next sample anyway (at most 1 s later). Running every detector per lock wait made ingestion cost
        // grow with rate x retained events (measured in docs/PERFORMANCE.md, Ingestion). Deadlocks stay immediate.
        registry.onEvent((jvm, event) -> {
            if (!"lock-wait".equals(event.kind())) {
                evaluate(jvm, event.ts());
            }
        });
        registry.onForget(byJvm::remove);
    }

    private void load() {
        for (CaptureStore.Entry e : store.list(KIND)) { // oldest first: each goes to the front, newest ends first
            Finding f = Finding.restored(e.meta());
            JvmFindings jf = byJvm.computeIfAbsent(e.jvmId(), id -> new JvmFindings());
            jf.closed.addFirst(f);
            while (jf.closed.size() > HISTORY) {
                store.delete(KIND, jf.closed.removeLast().id);
            }
            try {
                ids.accumulateAndGet(Long.parseLong(f.id.substring(1)), Math::max);
            } catch (RuntimeException ex) {
                // another id form cannot collide with the counter's
            }
        }
    }

    private void persist(String jvmId, Finding f) {
        store.put(KIND, f.id, jvmId, f.open() ? f.startedAt : f.endedAt, json(jvmId, f), Map.of());
    }

    /** A live dashboard's findings link their time window's views (the JVM's recording); offline ones have none. */
    private ObjectNode json(String jvmId, Finding f) {
        return captures == null ? f.toJson() : f.toJson(jvmId);
    }

    /** Stores every open finding as it is now (called when the dashboard stops). */
    public void flush() {
        byJvm.forEach((jvmId, f) -> {
            synchronized (f) {
                f.open.values().forEach(x -> persist(jvmId, x));
            }
        });
    }

    /** Runs all detectors on {@code jvm} as of {@code nowMs} and reconciles its findings. */
    public void evaluate(JvmSession jvm, long nowMs) {
        JvmFindings f = byJvm.computeIfAbsent(jvm.id(), id -> new JvmFindings());
        synchronized (f) {
            Map<String, Detection> seen = new LinkedHashMap<>();
            for (Detector d : detectors) {
                try {
                    for (Detection det : d.detect(jvm, nowMs)) {
                        seen.put(d.kind() + "|" + det.key(), det);
                    }
                } catch (RuntimeException e) {
                    // A detector bug must not stop the others or the ingestion thread that called us.
                    LOG.log(System.Logger.Level.WARNING, "detector " + d.kind() + " failed on JVM " + jvm.id() + ": " + e);
                }
            }
            for (Map.Entry<String, Detection> e : seen.entrySet()) {
                Finding existing = f.open.get(e.getKey());
                if (existing == null) {
                    String kind = e.getKey().substring(0, e.getKey().indexOf('|'));
                    Finding opened = new Finding("f" + ids.incrementAndGet(), kind, e.getValue(), nowMs,
                            windowStart(e.getValue(), nowMs));
                    f.open.put(e.getKey(), opened);
                    persist(jvm.id(), opened);
                    dumpAtOpening(jvm, opened);
                } else {
                    existing.latest = e.getValue();
                    existing.updatedAt = Math.max(existing.updatedAt, nowMs);
                    existing.missed = 0;
                }
            }
            f.open.entrySet().removeIf(e -> {
                Finding finding = e.getValue();
                if (seen.containsKey(e.getKey()) || ++finding.missed < CLOSE_AFTER) {
                    return false;
                }
                finding.endedAt = Math.max(finding.updatedAt, nowMs);
                f.closed.addFirst(finding);
                persist(jvm.id(), finding);
                while (f.closed.size() > HISTORY) {
                    store.delete(KIND, f.closed.removeLast().id);
                }
                return true;
            });
        }
    }

    /** The earliest data the detector judged: its evidence window's start, or the detection window before now. */
    private long windowStart(Detection d, long nowMs) {
        long from = nowMs - windowMs;
        long evidenceFrom = d.evidence().path("window").path("fromMs").asLong(0);
        return evidenceFrom > 0 ? Math.min(from, evidenceFrom) : from;
    }

    /**
     * The thread dump of the moment a finding opened: the one its detector took (a deadlock's), one taken by
     * anyone within {@link #DUMP_REUSE_MS}, or a new one, asked for without waiting (evaluation runs on the
     * ingestion thread).
     */
    private void dumpAtOpening(JvmSession jvm, Finding finding) {
        if (captures == null) {
            return;
        }
        for (JsonNode l : finding.latest.evidence().path("links")) {
            if (l.path("tab").asText().equals("threads") && l.hasNonNull("selection")) {
                finding.threadDumpId = l.path("selection").asText();
                return;
            }
        }
        for (ThreadCaptures.Capture c : captures.captures(jvm.id())) {
            if (Math.abs(c.ts() - finding.startedAt) <= DUMP_REUSE_MS) {
                finding.threadDumpId = c.id();
                return;
            }
        }
        if (!jvm.connected()) {
            return;
        }
        captures.take(jvm, false, "finding " + finding.id + " (" + finding.kind + ") opened")
                .thenAccept(c -> finding.threadDumpId = c.id())
                .exceptionally(t -> {
                    LOG.log(System.Logger.Level.DEBUG, "thread dump for finding " + finding.id + " failed: " + t);
                    return null;
                });
    }

    /** Open findings (most severe, then oldest first) followed by closed ones (newest first). */
    public ArrayNode findings(String jvmId) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        JvmFindings f = byJvm.get(jvmId);
        if (f == null) {
            return a;
        }
        synchronized (f) {
            List<Finding> open = new ArrayList<>(f.open.values());
            open.sort(Comparator.comparing((Finding x) -> x.latest.severity()).thenComparingLong(x -> x.startedAt));
            open.forEach(x -> a.add(json(jvmId, x)));
            f.closed.forEach(x -> a.add(json(jvmId, x)));
        }
        return a;
    }

    /** Every finding kind the detectors produce, in detector order. */
    public List<String> kinds() {
        return detectors.stream().map(Detector::kind).distinct().toList();
    }

    /** Open findings of one JVM counted by kind; every kind present, zero when none is open. */
    public Map<String, Integer> openByKind(String jvmId) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        kinds().forEach(k -> counts.put(k, 0));
        JvmFindings f = byJvm.get(jvmId);
        if (f != null) {
            synchronized (f) {
                f.open.values().forEach(x -> counts.merge(x.kind, 1, Integer::sum));
            }
        }
        return counts;
    }

    /** The badge data for the JVM list: {@code {open, critical, kinds}}. */
    public ObjectNode summary(String jvmId) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        JvmFindings f = byJvm.get(jvmId);
        int open = 0;
        int critical = 0;
        ArrayNode kinds = o.putArray("kinds");
        if (f != null) {
            synchronized (f) {
                for (Finding x : f.open.values()) {
                    open++;
                    if (x.latest.severity() == Severity.CRITICAL) {
                        critical++;
                    }
                    kinds.add(x.kind);
                }
            }
        }
        return o.put("open", open).put("critical", critical);
    }
}
