package dev.lockscope.agent.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.report.OfflineJvm;
import dev.lockscope.dashboard.report.ReportWriter;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The dashboard's findings engine run on a capture's own messages, in-process and without any network: the
 * same detectors, fed the same samples and events the agent would send a dashboard. It tells the capture when
 * a finding opens (to take a thread dump then) and writes the report at the end.
 *
 * <p>Fed from one thread at a time (the capture's), like the dashboard's ingestion.
 */
final class CaptureAnalysis {
    private final OfflineJvm jvm;
    private final Set<String> announced = new HashSet<>();
    private final Set<String> kinds = new LinkedHashSet<>();

    private CaptureAnalysis(OfflineJvm jvm) {
        this.jvm = jvm;
    }

    /** Starts from the agent's hello (its identity and features), as a dashboard does on connect. */
    static CaptureAnalysis fromHello(String helloLine) throws IOException {
        JsonNode hello = Json.MAPPER.readTree(helloLine);
        JsonNode identity = hello.path("identity");
        List<String> features = new ArrayList<>();
        hello.path("features").forEach(f -> features.add(f.asText()));
        return new CaptureAnalysis(OfflineJvm.live(identity.path("jvmId").asText("capture"), identity, features,
                OfflineJvm.DEFAULT_FINDINGS_WINDOW_MS));
    }

    /** One recorded message (a sample or an event); anything else is ignored. */
    void accept(String line) throws IOException {
        JsonNode m = Json.MAPPER.readTree(line);
        switch (m.path("type").asText()) {
            case "sample" -> jvm.sample(m.path("seq").asLong(), m.path("ts").asLong(), m.path("body"));
            case "event" -> jvm.event(m.path("kind").asText(), m.path("seq").asLong(), m.path("ts").asLong(), m.path("body"));
            default -> { }
        }
    }

    /** A thread dump the capture took: the {@code threaddump} JSON and the jstack text. Returns its capture id. */
    String dump(String json, String text, String trigger) throws IOException {
        ObjectNode dump = (ObjectNode) Json.MAPPER.readTree(json);
        dump.put("text", text);
        ThreadCaptures.Capture c = jvm.dump(dump, trigger);
        return c.id();
    }

    /** Kinds of the findings that opened since the last call (each finding announced once). */
    List<String> newlyOpened() {
        List<String> out = new ArrayList<>();
        for (JsonNode f : jvm.findings().findings(jvm.session().id())) {
            if (f.path("state").asText().equals("open") && announced.add(f.path("id").asText())) {
                out.add(f.path("kind").asText());
                kinds.add(f.path("kind").asText());
            }
        }
        return out;
    }

    /** Every kind of finding seen during the capture, in the order they first opened. */
    List<String> kinds() {
        return new ArrayList<>(kinds);
    }

    /** The report alone (no raw files), as of {@code nowMs}. */
    String reportHtml(long nowMs) {
        jvm.evaluate(nowMs);
        return ReportWriter.html(jvm, List.of());
    }

    /** A last evaluation as of {@code nowMs}, then the report and its raw files into {@code dir}. */
    void writeReport(long nowMs, List<ReportWriter.FlameGraph> flameGraphs, Path dir) throws IOException {
        jvm.evaluate(nowMs);
        newlyOpened();
        ReportWriter.write(jvm, flameGraphs, dir);
    }
}
