package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pools created before the agent was attached to a running JVM are listed, with live figures. */
class DynamicAttachEndToEndTest {

    @Test
    void poolsCreatedBeforeADynamicAttachAreListedWithLiveFigures() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(PoolsApi.childClasspath(), PreexistingPoolApp.class.getName())
                     .jvmArg("-XX:+EnableDynamicAgentLoading").start()) {
            app.awaitLine("^ready$", Duration.ofSeconds(20));
            Process attach = new ProcessBuilder(Jars.java(Jars.defaultJavaHome()).toString(), "-jar",
                    Jars.AGENT.toString(), "attach", Long.toString(app.pid()),
                    "dashboard=" + d.agentUrl() + ",name=attached").redirectErrorStream(true).start();
            assertThat(attach.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(attach.getInputStream().readAllBytes());
            assertThat(attach.exitValue()).as(out).isZero();

            PoolsApi api = new PoolsApi(d, app.pid());
            JsonNode first = api.awaitPool("legacy-worker", "60s", Duration.ofSeconds(30),
                    p -> p.path("samplesWait").asLong() > 10 && p.path("samplesRun").asLong() > 10);
            JsonNode later = api.awaitPool("legacy-worker", "60s", Duration.ofSeconds(15),
                    p -> p.path("completed").asLong() > first.path("completed").asLong() + 20);
            assertThat(later.path("size").asInt()).isEqualTo(2);
            assertThat(later.path("max").asInt()).isEqualTo(2);
            assertThat(later.path("threadPrefix").asText()).isEqualTo("legacy-worker-");
            assertThat(later.path("callSite").isNull()).as("created before the agent: no constructor call site").isTrue();
            assertThat(later.path("submitSite").asText()).contains("PreexistingPoolApp.main");
            assertThat(later.path("completedPerSec").asDouble()).isGreaterThan(10);
            assertThat(later.path("p50RunMs").asDouble()).isBetween(15.0, 200.0);

            // the idle pool never executes anything after the attach: found through its parked workers
            JsonNode idle = api.awaitPool("idle-worker", "60s", Duration.ofSeconds(10), p -> true);
            assertThat(idle.path("size").asInt()).isEqualTo(3);
            assertThat(idle.path("active").asInt()).isZero();
            assertThat(idle.path("saturated").asBoolean()).isFalse();
            assertThat(api.suppressedErrors()).isZero();
        }
    }
}
