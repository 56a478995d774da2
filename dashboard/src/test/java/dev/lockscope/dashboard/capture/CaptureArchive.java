package dev.lockscope.dashboard.capture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** An incident archive read back whole, for assertions. */
record CaptureArchive(Path file, Map<String, byte[]> entries) {

    static CaptureArchive read(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        return new CaptureArchive(file, entries);
    }

    String text(String name) {
        byte[] b = entries.get(name);
        if (b == null) {
            throw new AssertionError(name + " is not in " + file + " (entries: " + entries.keySet() + ")");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    JsonNode json(String name) {
        try {
            return Json.MAPPER.readTree(text(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode manifest() {
        return json("capture.json");
    }

    /** The recorded protocol messages, one per line of messages.jsonl. */
    List<JsonNode> messages() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text("messages.jsonl").split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(Json.MAPPER.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("messages.jsonl has a line that is not JSON: " + line, e);
                }
            }
        }
        return out;
    }

    /** The thread dump taken for {@code label} (start, end, finding-…), as jstack text. */
    String dumpText(String label) {
        return text(dumpEntry(label, "text"));
    }

    String dumpEntry(String label, String format) {
        for (JsonNode d : manifest().path("threadDumps")) {
            if (d.path("label").asText().equals(label)) {
                return d.path(format).asText();
            }
        }
        throw new AssertionError("no thread dump labelled " + label + " in " + manifest().path("threadDumps"));
    }
}
