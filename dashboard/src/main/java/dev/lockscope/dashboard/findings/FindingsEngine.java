package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every {@link Detector} on each JVM after each sample (and at once on agent events such as a deadlock),
 * and keeps each JVM's findings: open ones, updated while detected, closed after {@link #CLOSE_AFTER}
 * evaluations without a detection, and a bounded history of closed ones.
 *
 * <p>Thread-safety: evaluation of one JVM is serialised on its {@link JvmFindings}; readers get JSON copies.
 */
public final class FindingsEngine {
    private static final Logger LOG = LoggerFactory.getLogger(FindingsEngine.class);
    /** Three quiet evaluations (about 3 s) before closing: one noisy second must not flap a finding. */
    static final int CLOSE_AFTER = (int) Thresholds.whole("closeAfterEvaluations", 3);
    /** Closed findings kept per JVM. */
    static final int HISTORY = 200;

    private final List<Detector> detectors;
    private final Map<String, JvmFindings> byJvm = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private static final class JvmFindings {
        final Map<String, Finding> open = new LinkedHashMap<>();
        final Deque<Finding> closed = new ArrayDeque<>();
    }

    public FindingsEngine(JvmRegistry registry, List<Detector> detectors) {
        this.detectors = List.copyOf(detectors);
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
                    LOG.warn("detector {} failed on JVM {}: {}", d.kind(), jvm.id(), e.toString());
                }
            }
            for (Map.Entry<String, Detection> e : seen.entrySet()) {
                Finding existing = f.open.get(e.getKey());
                if (existing == null) {
                    String kind = e.getKey().substring(0, e.getKey().indexOf('|'));
                    f.open.put(e.getKey(), new Finding("f" + ids.incrementAndGet(), kind, e.getValue(), nowMs));
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
                while (f.closed.size() > HISTORY) {
                    f.closed.removeLast();
                }
                return true;
            });
        }
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
            open.forEach(x -> a.add(x.toJson()));
            f.closed.forEach(x -> a.add(x.toJson()));
        }
        return a;
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
