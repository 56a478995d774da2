package dev.lockscope.dashboard.jvms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A real sample JVM with the real agent, and a real dashboard: the JVM list follows it live. */
class AgentConnectionEndToEndTest {

    @Test
    void jvmStartedWithAgentAppearsWithinFiveSecondsAndIsMarkedDisconnectedAfterExit() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("saturated-pool", "--duration=6")
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=checkout").start()) {
            long started = System.nanoTime();
            AtomicReference<JsonNode> seen = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        seen.set(dashboard.jvmByPid(app.pid()));
                        return seen.get() != null && seen.get().path("sample").isObject();
                    });
            System.out.printf("JVM listed with a live sample after %d ms%n", (System.nanoTime() - started) / 1_000_000);
            JsonNode jvm = seen.get();
            assertThat(jvm.path("name").asText()).isEqualTo("checkout");
            assertThat(jvm.path("connected").asBoolean()).isTrue();
            assertThat(jvm.path("jvmVersion").asText()).startsWith(System.getProperty("java.specification.version"));
            assertThat(jvm.path("startTime").asLong()).isPositive();
            assertThat(jvm.at("/sample/vitals/threads/live").asInt()).isGreaterThan(4);
            assertThat(jvm.at("/sample/agent/suppressedErrors").asLong()).isZero();

            assertThat(app.awaitExit(Duration.ofSeconds(20))).isZero();
            assertThat(app.stderr()).as("the agent prints nothing on a clean start").isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> !dashboard.jvmByPid(app.pid()).path("connected").asBoolean());
            assertThat(dashboard.jvmByPid(app.pid()).path("disconnectedAt").asLong()).isPositive();
        }
    }

    @Test
    void aJdk25TargetConnectsAndPrintsNoWarnings() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("cache-stampede", "--duration=4").javaHome(Jars.JDK25)
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=on-25").start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonNode j = dashboard.jvmByPid(app.pid());
                return j != null && j.path("sample").isObject();
            });
            assertThat(dashboard.jvmByPid(app.pid()).path("jvmVersion").asText()).startsWith("25");
            assertThat(app.awaitExit(Duration.ofSeconds(20))).isZero();
            // No "sun.misc.Unsafe" deprecation or CDS warnings from the agent on the user's console.
            assertThat(app.stderr()).isEmpty();
        }
    }
}
