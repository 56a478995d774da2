package dev.lockscope.agent.capture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The report of a capture whose JVM died before finishing it (killed outright): what the agent had written to
 * the parts directory (the messages, the thread dumps and the manifest listing them) is replayed through the
 * same analysis, and {@code report.html} written beside it. Runs in the CLI's JVM.
 */
public final class PartialReport {
    private PartialReport() {}

    /** Writes {@code parts/report.html}; returns the lines of messages.jsonl that could not be read. */
    public static int write(Path parts) throws IOException {
        List<String> lines = Files.readAllLines(parts.resolve(CaptureFiles.MESSAGES), StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(CaptureFiles.MESSAGES + " is empty");
        }
        CaptureAnalysis a = CaptureAnalysis.fromHello(lines.get(0));
        int unreadable = 0;
        long last = 0;
        for (String line : lines.subList(1, lines.size())) {
            try {
                a.accept(line);
                last = Math.max(last, Json.MAPPER.readTree(line).path("ts").asLong());
            } catch (IOException | RuntimeException e) {
                unreadable++; // the line being written when the JVM died
            }
        }
        Path manifest = parts.resolve(CaptureFiles.MANIFEST);
        if (Files.exists(manifest)) {
            for (JsonNode d : Json.MAPPER.readTree(manifest.toFile()).path("threadDumps")) {
                Path json = parts.resolve(d.path("json").asText());
                Path text = parts.resolve(d.path("text").asText());
                if (Files.exists(json) && Files.exists(text)) {
                    a.dump(Files.readString(json), Files.readString(text), d.path("label").asText());
                }
            }
        }
        Files.writeString(parts.resolve(CaptureFiles.REPORT), a.reportHtml(last == 0 ? System.currentTimeMillis() : last),
                StandardCharsets.UTF_8);
        return unreadable;
    }
}
