package dev.lockscope.dashboard.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar lockscope-agent.jar capture <pid>} and {@code -javaagent:…=capture=…} against real sample
 * JVMs: what the archive holds, how the capture ends (time, Ctrl-C, the JVM exiting) and that the JVM keeps
 * running. Captures are short ({@code --for 6s}); the timeouts are generous because the machine running the
 * suite is shared with other builds.
 */
class CaptureEndToEndTest {
    static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void capturingTheDeadlockSampleByPidRecordsItsCycleThreadDumpsProfilesAndJfr() throws Exception {
        try (ChildJvm app = ChildJvm.sample("deadlock").start()) {
            app.awaitLine("cycle formed at", Duration.ofSeconds(30));
            Path zip = dir.resolve("deadlock.zip");

            try (ChildJvm cli = ChildJvm.agentCli("capture", Long.toString(app.pid()), "--for", "6s", "-o", zip.toString()).start()) {
                assertThat(cli.awaitExit(CLI_TIMEOUT)).as(String.join("\n", cli.stderr())).isZero();
                assertThat(cli.stdout()).anyMatch(l -> l.matches("lockscope: recording \\d+ s of 6 s, \\d+ samples, \\d+ events, .*"));
                assertThat(cli.stdout()).contains("lockscope: wrote " + zip + " (complete)");
            }

            CaptureArchive a = CaptureArchive.read(zip);
            JsonNode m = a.manifest();
            assertThat(m.path("ended").asText()).isEqualTo("time");
            assertThat(m.path("pid").asLong()).isEqualTo(app.pid());
            assertThat(m.path("agentLoadedBefore").asBoolean()).isFalse();
            assertThat(m.path("endedAt").asLong() - m.path("startedAt").asLong()).isBetween(6_000L, 20_000L);
            assertThat(m.path("problems")).isEmpty();

            List<JsonNode> messages = a.messages();
            assertThat(messages.get(0).path("type").asText()).isEqualTo("hello");
            assertThat(messages.get(0).at("/identity/pid").asLong()).isEqualTo(app.pid());
            assertThat(messages).filteredOn(x -> x.path("type").asText().equals("sample")).hasSizeGreaterThanOrEqualTo(5);
            JsonNode deadlock = messages.stream().filter(x -> x.path("kind").asText().equals("deadlock")).findFirst()
                    .orElseThrow(() -> new AssertionError("no deadlock event recorded"));
            assertThat(deadlock.at("/body/cycles/0/threads").toString()).contains("transfer-0").contains("transfer-1");

            assertThat(a.dumpText("start")).contains("Found one Java-level deadlock").contains("\"transfer-0\"");
            assertThat(a.dumpText("end")).contains("Found one Java-level deadlock");
            assertThat(a.json(a.dumpEntry("end", "json")).path("deadlockedThreadIds")).hasSize(2);
            assertThat(a.entries()).containsKeys("profiles/cpu.collapsed", "profiles/lock.collapsed", "profiles/profile.jfr");
            assertThat(new String(a.entries().get("recording.jfr"), 0, 3)).isEqualTo("FLR");

            assertThat(app.isAlive()).isTrue();
            assertThat(Files.exists(zip.resolveSibling("deadlock.zip.parts"))).isFalse();
        }
    }

    @Test
    void ctrlCEndsTheCaptureEarlyAndStillWritesAValidArchive() throws Exception {
        try (ChildJvm app = ChildJvm.sample("saturated-pool").start()) {
            app.awaitLine("started", Duration.ofSeconds(30));
            Path zip = dir.resolve("ctrl-c.zip");
            try (ChildJvm cli = ChildJvm.agentCli("capture", Long.toString(app.pid()), "--for", "10m", "-o", zip.toString()).start()) {
                cli.awaitLine("lockscope: recording [2-9] s of 600 s", Duration.ofSeconds(90));
                cli.interrupt();
                cli.awaitExit(CLI_TIMEOUT);
                assertThat(cli.stdout()).contains("lockscope: wrote " + zip + " (ended early)");
            }
            CaptureArchive a = CaptureArchive.read(zip);
            assertThat(a.manifest().path("ended").asText()).isEqualTo("stopped");
            assertThat(a.manifest().path("endedAt").asLong() - a.manifest().path("startedAt").asLong()).isLessThan(60_000L);
            assertThat(a.messages()).filteredOn(x -> x.path("type").asText().equals("sample")).hasSizeGreaterThanOrEqualTo(2);
            assertThat(a.dumpText("end")).contains("\"order-producer-");
            assertThat(app.isAlive()).isTrue();
        }
    }

    @Test
    void theJvmExitingMidCaptureGivesAClearMessageAndAPartialArchive() throws Exception {
        try (ChildJvm app = ChildJvm.sample("cache-stampede", "--duration=14").start()) {
            app.awaitLine("started", Duration.ofSeconds(30));
            Path zip = dir.resolve("exit.zip");
            try (ChildJvm cli = ChildJvm.agentCli("capture", Long.toString(app.pid()), "--for", "60s", "-o", zip.toString()).start()) {
                cli.awaitExit(CLI_TIMEOUT);
                assertThat(cli.stderr()).contains("lockscope: pid " + app.pid() + " exited during the capture; the archive holds what was recorded until then");
                assertThat(cli.stdout()).contains("lockscope: wrote " + zip + " (partial: the JVM exited during the capture)");
            }
            CaptureArchive a = CaptureArchive.read(zip);
            assertThat(a.manifest().path("ended").asText()).isEqualTo("jvm-exit");
            assertThat(a.messages()).filteredOn(x -> x.path("type").asText().equals("sample")).isNotEmpty();
            assertThat(a.dumpText("start")).contains("\"price-reader-");
        }
    }

    @Test
    void theJavaagentCaptureModeRecordsFromStartUpAndLeavesTheAppRunning() throws Exception {
        Path zip = dir.resolve("startup.zip");
        try (ChildJvm app = ChildJvm.sample("cache-stampede").agent("capture=" + zip + ",for=5s").start()) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> Files.exists(zip));
            await().atMost(Duration.ofSeconds(10)).until(() -> app.stderr().stream().anyMatch(l -> l.contains("capture complete: " + zip)));
            CaptureArchive a = CaptureArchive.read(zip);
            assertThat(a.manifest().path("ended").asText()).isEqualTo("time");
            assertThat(a.messages().get(0).at("/identity/pid").asLong()).isEqualTo(app.pid());
            assertThat(a.dumpText("start")).contains("\"price-reader-");
            assertThat(app.isAlive()).isTrue();
        }
    }
}
