package dev.lockscope.dashboard.jvms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockscope.dashboard.DashboardMain;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bad agent options, bad dashboard flags and a runtime the agent cannot use: a clear line, nothing breaks. */
class BadOptionsEndToEndTest {

    @Test
    void unknownAndMalformedAgentOptionsPrintOneLineEachAndTheAppStillRuns() throws Exception {
        try (ChildJvm app = ChildJvm.sample("saturated-pool", "--duration=3")
                .agent("dashboard=none,colour=blue,oops,queue=lots").start()) {
            app.awaitLine("saturated-pool: queue=", Duration.ofSeconds(15));
            assertThat(app.awaitExit(Duration.ofSeconds(20))).isZero();
            List<String> err = app.stderr();
            assertThat(err).anyMatch(l -> l.equals("lockscope: unknown option 'colour' ignored (known: "
                    + String.join(", ", knownOptions(err)) + ")"));
            assertThat(err).contains("lockscope: malformed option 'oops' (expected key=value)");
            assertThat(err).contains("lockscope: option queue=lots is not a number; using 1024");
        }
    }

    private static List<String> knownOptions(List<String> err) {
        String line = err.stream().filter(l -> l.contains("(known: ")).findFirst().orElseThrow();
        return List.of(line.substring(line.indexOf("(known: ") + 8, line.length() - 1).split(", "));
    }

    @Test
    void badDashboardFlagsExitWithStatusTwoAndSayWhatIsWrong() throws Exception {
        assertRefused(List.of("--port", "seventy"), "--port seventy is not a number");
        assertRefused(List.of("--port", "99999"), "out of range");
        assertRefused(List.of("--colour", "blue"), "unknown flag --colour");
        assertRefused(List.of("--port"), "missing value for --port");
        assertRefused(List.of("--host", "0.0.0.0"), "set --token");
    }

    private static void assertRefused(List<String> flags, String message) throws Exception {
        try (ChildJvm d = ChildJvm.main(System.getProperty("java.class.path"), DashboardMain.class.getName(),
                flags.toArray(String[]::new)).start()) {
            assertThat(d.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(String.join("\n", d.stderr())).contains(message).contains("usage:");
        }
    }

    @Test
    void aRuntimeWithoutJavaNetHttpGetsOneLineAndTheAppRunsWithoutTheAgent() throws Exception {
        Path image = Path.of("target", "jlink-no-http");
        if (!Files.exists(image.resolve("bin/java"))) {
            Process jlink = new ProcessBuilder(Jars.defaultJavaHome().resolve("bin/jlink").toString(),
                    "--add-modules", "java.base,java.instrument,java.management,jdk.management",
                    "--output", image.toString()).inheritIO().start();
            assertThat(jlink.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(jlink.exitValue()).isZero();
        }
        try (ChildJvm app = ChildJvm.sample("saturated-pool", "--duration=2").javaHome(image.toAbsolutePath())
                .agent("dashboard=none").start()) {
            assertThat(app.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(app.stdout()).anyMatch(l -> l.startsWith("saturated-pool: queue="));
            assertThat(app.stderr()).containsExactly(
                    "lockscope: agent disabled: this runtime has no java.net.http module (a jlink image?); the application runs without it");
        }
    }
}
