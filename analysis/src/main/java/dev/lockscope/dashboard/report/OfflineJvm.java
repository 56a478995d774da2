package dev.lockscope.dashboard.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.findings.Detectors;
import dev.lockscope.dashboard.findings.FindingsEngine;
import dev.lockscope.dashboard.imports.ImportedJvm;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import java.util.List;

/**
 * One JVM analysed without a dashboard: the same registry, thread captures and findings engine the dashboard
 * runs, wired for a single JVM. Feed it what the agent would send ({@link #sample}, {@link #event},
 * {@link #dump}); findings are evaluated as data arrives, exactly as on the dashboard. Then hand it to
 * {@link ReportWriter#write}.
 *
 * <p>Thread-safety: as the dashboard's own classes (feeding from one thread at a time is enough).
 */
public final class OfflineJvm {
    /** Six hours of once-a-second samples: longer than any capture or imported recording is expected to be. */
    static final int HISTORY_SAMPLES = 6 * 3600;
    /** The dashboard's default {@code --findings-window}. */
    public static final long DEFAULT_FINDINGS_WINDOW_MS = 10_000;

    private final JvmRegistry registry = new JvmRegistry(HISTORY_SAMPLES);
    private final ThreadCaptures captures = new ThreadCaptures(registry); // before the engine: it reads them
    private final FindingsEngine findings;
    private JvmSession session;
    private List<String> notes = List.of();

    private OfflineJvm(long findingsWindowMs) {
        this.findings = new FindingsEngine(registry, Detectors.all(findingsWindowMs, captures));
    }

    /**
     * A JVM to feed live (the agent's capture): {@code identity} is the agent's hello identity ({@code name},
     * {@code pid}, {@code jvmVersion}, {@code startTime}, ...), {@code features} the agent's feature names.
     */
    public static OfflineJvm live(String jvmId, JsonNode identity, List<String> features, long findingsWindowMs) {
        OfflineJvm o = new OfflineJvm(findingsWindowMs);
        o.session = o.registry.connect(jvmId, identity, features, msg -> {
            throw new IllegalStateException("an offline capture takes no requests");
        });
        return o;
    }

    /** Files read by {@link ImportedJvm#read}, replayed; their problems become the report's notes. */
    public static OfflineJvm imported(ImportedJvm files, long findingsWindowMs) {
        OfflineJvm o = new OfflineJvm(findingsWindowMs);
        o.session = files.loadInto(o.registry, o.captures, "import");
        o.notes = List.copyOf(files.problems());
        return o;
    }

    public JvmSession session() {
        return session;
    }

    public ThreadCaptures captures() {
        return captures;
    }

    public FindingsEngine findings() {
        return findings;
    }

    /** What could not be read (imports) — shown at the top of the report. */
    public List<String> notes() {
        return notes;
    }

    /** A once-a-second sample as the agent sends it ({@code body} with a section per feature). */
    public void sample(long seq, long ts, JsonNode body) {
        registry.sampleArrived(session, new JvmSession.Sample(seq, ts, body));
    }

    /** An agent event ({@code deadlock}, {@code lock-wait}, ...); a deadlock's dump becomes a capture. */
    public void event(String kind, long seq, long ts, JsonNode body) {
        registry.eventArrived(session, new JvmSession.Event(kind, seq, ts, body));
    }

    /** A thread dump the agent returned ({@code text}, if present, kept apart); {@code trigger} says why. */
    public ThreadCaptures.Capture dump(ObjectNode dump, String trigger) {
        return captures.add(session.id(), dump, trigger);
    }

    /** Runs the detectors once more as of {@code nowMs} (e.g. at the end of a capture). */
    public void evaluate(long nowMs) {
        findings.evaluate(session, nowMs);
    }
}
