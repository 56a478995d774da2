package dev.lockscope.dashboard.jvms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code java -jar lockscope-agent.jar list | attach <pid>} against real running JVMs. */
class DynamicAttachEndToEndTest {

    record Cli(int exit, String out, String err) {}

    static Cli agentCli(Path javaHome, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Jars.java(javaHome).toString(), "-jar", Jars.AGENT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("agent CLI did not finish: " + cmd);
        }
        return new Cli(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void attachingByPidToARunningSampleMakesItAppearInTheDashboard() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("saturated-pool").start()) {
            app.awaitLine("started", Duration.ofSeconds(10));

            Cli list = agentCli(Jars.defaultJavaHome(), "list");
            assertThat(list.exit()).isZero();
            assertThat(list.out()).containsPattern("(?m)^" + app.pid() + "\\s+.*lockscope-samples.jar");

            Cli attach = agentCli(Jars.defaultJavaHome(), "attach", Long.toString(app.pid()),
                    "dashboard=" + dashboard.agentUrl() + ",name=attached-later");
            assertThat(attach.exit()).as(attach.err()).isZero();
            assertThat(attach.out()).contains("agent loaded into pid " + app.pid());

            await().atMost(Duration.ofSeconds(15)).until(() -> dashboard.jvmByPid(app.pid()) != null);
            assertThat(dashboard.jvmByPid(app.pid()).path("name").asText()).isEqualTo("attached-later");
            assertThat(app.isAlive()).isTrue();
        }
    }

    @Test
    void attachingToAPidWithNoProcessFailsWithAClearMessage() throws Exception {
        long pid = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1000) + 100_000;
        Cli cli = agentCli(Jars.defaultJavaHome(), "attach", Long.toString(pid));
        assertThat(cli.exit()).isEqualTo(1);
        assertThat(cli.err()).contains("no process with pid " + pid);
    }

    @Test
    void attachingToSomethingThatIsNotAPidIsAUsageError() throws Exception {
        Cli cli = agentCli(Jars.defaultJavaHome(), "attach", "not-a-pid");
        assertThat(cli.exit()).isEqualTo(2);
        assertThat(cli.err()).contains("'not-a-pid' is not a process id");
    }

    @Test
    void attachingWithBadOptionsIsRefusedBeforeTouchingTheTarget() throws Exception {
        try (ChildJvm app = ChildJvm.sample("saturated-pool").start()) {
            app.awaitLine("started", Duration.ofSeconds(10));
            Cli cli = agentCli(Jars.defaultJavaHome(), "attach", Long.toString(app.pid()), "colour=blue");
            assertThat(cli.exit()).isEqualTo(2);
            assertThat(cli.err()).contains("unknown option 'colour'");
        }
    }

    @Test
    void aJdk25JvmThatRefusesDynamicAgentsIsReportedAsSuch() throws Exception {
        try (ChildJvm app = ChildJvm.sample("saturated-pool").javaHome(Jars.JDK25)
                .jvmArg("-XX:-EnableDynamicAgentLoading").start()) {
            app.awaitLine("started", Duration.ofSeconds(10));
            Cli cli = agentCli(Jars.defaultJavaHome(), "attach", Long.toString(app.pid()));
            assertThat(cli.exit()).isEqualTo(1);
            assertThat(cli.err()).contains("refuses dynamically loaded agents").contains("-javaagent:");
            assertThat(app.isAlive()).isTrue();
        }
    }
}
