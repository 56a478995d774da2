package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The agent holds pools weakly: a pool the application drops is collected and leaves the view. */
class PoolLifecycleEndToEndTest {

    @Test
    void aGarbageCollectedPoolDisappearsFromTheView() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(PoolsApi.childClasspath(), GarbagePoolApp.class.getName())
                     .agent("dashboard=" + d.agentUrl() + ",name=lifecycle").start()) {
            app.awaitLine("^ready$", Duration.ofSeconds(20));
            PoolsApi api = new PoolsApi(d, app.pid());
            api.awaitInstrumented(Duration.ofSeconds(60));
            try (OutputStream in = app.process().getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                app.awaitLine("^created$", Duration.ofSeconds(20));
                JsonNode p = api.awaitPool("short-lived", "60s", Duration.ofSeconds(20),
                        x -> x.path("completed").asLong() == 10);
                assertThat(p.path("callSite").asText()).contains("GarbagePoolApp.main");

                in.write("drop\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                app.awaitLine("^collected$", Duration.ofSeconds(30));
            }
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                    .until(() -> api.pool("short-lived", "60s") == null);
            assertThat(api.suppressedErrors()).isZero();
        }
    }
}
