package dev.lockscope.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveTest {
    @TempDir
    Path dir;

    @Test
    void theArchiveHoldsThePartsReportFirstWithoutTheCapturesBookkeepingAndThePartsAreRemoved() throws Exception {
        Path archive = dir.resolve("incident.zip");
        Path parts = CaptureFiles.parts(archive);
        Files.createDirectories(parts.resolve("threads"));
        Files.writeString(parts.resolve("messages.jsonl"), "{\"type\":\"hello\"}\n");
        Files.writeString(parts.resolve("capture.json"), "{}");
        Files.writeString(parts.resolve("report.html"), "<html></html>");
        Files.writeString(parts.resolve("threads/td1.txt"), "Full thread dump");
        Files.writeString(CaptureFiles.progress(archive), "{\"state\":\"writing\"}");
        Files.writeString(CaptureFiles.stop(archive), "stop");

        Archive.write(parts, archive);

        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                names.add(e.getName());
            }
            assertThat(new String(zip.getInputStream(zip.getEntry("threads/td1.txt")).readAllBytes())).isEqualTo("Full thread dump");
        }
        assertThat(names).containsExactly("report.html", "capture.json", "messages.jsonl", "threads/td1.txt");
        assertThat(parts).doesNotExist();
        assertThat(dir.resolve("incident.zip.tmp")).doesNotExist();
    }

    @Test
    void aTakenArchiveNameGetsANumberBeforeItsExtension() throws Exception {
        Path wanted = dir.resolve("incident.zip");
        assertThat(Capture.freeName(wanted)).isEqualTo(wanted);
        Files.writeString(wanted, "earlier capture");
        Files.createDirectories(CaptureFiles.parts(dir.resolve("incident-2.zip"))); // one being written
        assertThat(Capture.freeName(wanted)).isEqualTo(dir.resolve("incident-3.zip"));
    }
}
