package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * On Temurin 25: thousands of virtual threads using an instrumented pool all finish with the agent attached;
 * the virtual-thread scheduler is recognised as the JDK's, and a custom ForkJoinPool shows its figures.
 */
class VirtualThreadsEndToEndTest {

    @Test
    void thousandsOfVirtualThreadsFinishAndTheSchedulerIsShownAsJdkInternal() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(PoolsApi.childClasspath(), VirtualThreadsApp.class.getName())
                     .javaHome(Jars.JDK25)
                     .agent("dashboard=" + d.agentUrl() + ",name=vthreads").start()) {
            app.awaitLine("^ready$", Duration.ofSeconds(30));
            PoolsApi api = new PoolsApi(d, app.pid());
            api.awaitInstrumented(Duration.ofSeconds(60));
            try (OutputStream in = app.process().getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            app.awaitLine("^done " + VirtualThreadsApp.THREADS + " sum=1999999000000 completed=20000$", Duration.ofSeconds(120));

            JsonNode backend = api.awaitPool("vt-backend", "10m", Duration.ofSeconds(10),
                    p -> p.path("completed").asLong() == 20_000);
            assertThat(backend.path("samplesWait").asLong()).isPositive();
            assertThat(backend.path("samplesRun").asLong()).isPositive();

            JsonNode view = api.view("10m");
            JsonNode scheduler = null;
            JsonNode custom = null;
            for (JsonNode p : view.path("pools")) {
                if ("virtual-thread scheduler".equals(p.path("role").asText())) {
                    scheduler = p;
                } else if ("ForkJoinPool".equals(p.path("kind").asText()) && p.path("parallelism").asInt() == 3) {
                    custom = p;
                }
            }
            assertThat(scheduler).as("virtual-thread scheduler in %s", view).isNotNull();
            assertThat(scheduler.path("jdkInternal").asBoolean()).isTrue();
            assertThat(scheduler.path("kind").asText()).isEqualTo("ForkJoinPool");
            assertThat(custom).as("custom ForkJoinPool(3) in %s", view).isNotNull();
            assertThat(custom.path("steals").asLong()).isPositive();
            assertThat(custom.path("jdkInternal").asBoolean()).isFalse();
            assertThat(api.suppressedErrors()).isZero();
        }
    }
}
