package dev.lockscope.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureCommandTest {
    @TempDir
    Path dir;

    @Test
    void progressShowsElapsedSamplesEventsAndFindingsByKind() {
        assertThat(CaptureCommand.progressLine(Map.of("state", "recording", "elapsedMs", 12_300L, "forMs", 60_000L,
                "samples", 14L, "events", 3L, "findings", List.of("deadlock"))))
                .isEqualTo("lockscope: recording 12 s of 60 s, 14 samples, 3 events, 1 finding (deadlock)");
        assertThat(CaptureCommand.progressLine(Map.of("state", "starting", "elapsedMs", 0L, "forMs", 60_000L,
                "samples", 2L, "events", 0L, "findings", List.of())))
                .isEqualTo("lockscope: starting (the agent installs its instrumentation), 2 samples, 0 events, 0 findings");
    }

    @Test
    void anArchiveThatExistsIsNeverOverwritten() throws Exception {
        Path existing = Files.writeString(dir.resolve("incident.zip"), "an earlier capture");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CaptureCommand.run(new String[] {Long.toString(ProcessHandle.current().pid()), "-o", existing.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains(existing + " already exists; choose another name with -o (nothing was overwritten)");
        assertThat(Files.readString(existing)).isEqualTo("an earlier capture");
    }

    @Test
    void badDurationsAndStrayArgumentsAreRefusedWithTheirReason() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err);
        String pid = Long.toString(ProcessHandle.current().pid());
        assertThat(CaptureCommand.run(new String[] {pid, "--for", "soon"}, System.out, e)).isEqualTo(2);
        assertThat(CaptureCommand.run(new String[] {pid, "--for"}, System.out, e)).isEqualTo(2);
        assertThat(CaptureCommand.run(new String[] {pid, "capture=x.zip"}, System.out, e)).isEqualTo(2);
        assertThat(err.toString()).contains("lockscope: --for soon: not a duration (use e.g. 500ms, 2s, 1m)",
                "lockscope: --for needs a value", "lockscope: give the archive with -o and the duration with --for");
    }
}
