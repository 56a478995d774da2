package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The saturated-pool sample with the real agent: the Pools API shows the queue and the wait growing, or the bound. */
class SaturatedPoolEndToEndTest {

    @Test
    void unboundedQueueShowsDepthAndWaitGrowingAndThePoolSaturated() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("saturated-pool", "--duration=60")
                     .agent("dashboard=" + d.agentUrl() + ",name=orders").start()) {
            PoolsApi api = new PoolsApi(d, app.pid());
            JsonNode early = api.awaitPool("orders-worker", "60s", Duration.ofSeconds(20),
                    p -> p.path("queueDepth").asLong() > 20 && p.path("samplesWait").asLong() > 0);
            JsonNode later = api.awaitPool("orders-worker", "60s", Duration.ofSeconds(30),
                    p -> p.path("queueDepth").asLong() > early.path("queueDepth").asLong() + 50
                            && p.path("p99WaitMs").asDouble() > early.path("p99WaitMs").asDouble());

            assertThat(later.path("kind").asText()).isEqualTo("ThreadPoolExecutor");
            assertThat(later.path("threadPrefix").asText()).isEqualTo("orders-worker-");
            assertThat(later.path("max").asInt()).isEqualTo(4);
            assertThat(later.path("active").asInt()).isEqualTo(4);
            assertThat(later.path("queueType").asText()).isEqualTo("java.util.concurrent.LinkedBlockingQueue");
            assertThat(later.has("queueRemaining")).as("unbounded queue has no remaining capacity").isFalse();
            assertThat(later.path("oldestQueuedAgeMs").asLong()).isGreaterThan(200);
            assertThat(later.path("saturated").asBoolean()).isTrue();
            assertThat(later.path("reason").asText()).contains("all 4 workers busy and the queue is growing");
            assertThat(later.path("p50RunMs").asDouble()).isBetween(20.0, 60.0); // --task=25ms sleeps
            assertThat(later.path("rejected").asLong()).isZero();
            assertThat(later.path("submittedPerSec").asDouble()).isGreaterThan(50);
            // the sample's own pool is ranked first
            assertThat(api.view("60s").path("pools").get(0).path("name").asText()).isEqualTo("orders-worker");
            assertThat(api.suppressedErrors()).isZero();
        }
    }

    @Test
    void boundedQueueWithCallerRunsStaysAtItsBoundAndShowsTheBackpressure() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("saturated-pool", "--fixed", "--duration=60")
                     .agent("dashboard=" + d.agentUrl() + ",name=orders-fixed").start()) {
            PoolsApi api = new PoolsApi(d, app.pid());
            JsonNode p = api.awaitPool("orders-worker", "10s", Duration.ofSeconds(30),
                    x -> x.path("rejectedBy").path("callerRuns").asLong() > 20 && x.path("samplesWait").asLong() > 50);
            for (int i = 0; i < 4; i++) {
                p = api.pool("orders-worker", "10s");
                assertThat(p.path("queueDepth").asLong()).isLessThanOrEqualTo(20);
                Thread.sleep(500);
            }
            assertThat(p.path("queueType").asText()).isEqualTo("java.util.concurrent.ArrayBlockingQueue");
            assertThat(p.path("policy").asText()).isEqualTo("CallerRuns");
            assertThat(p.path("rejected").asLong()).isEqualTo(p.path("rejectedBy").path("callerRuns").asLong());
            assertThat(p.path("callerRunsPerSec").asDouble()).isGreaterThan(1);
            assertThat(p.path("saturated").asBoolean()).isTrue();
            assertThat(p.path("reason").asText()).contains("rejected").contains("CallerRuns");
            // Bounded queue: the wait is bounded too (20 queued × 25 ms / 4 workers ≈ 125 ms, with margin).
            assertThat(p.path("p99WaitMs").asDouble()).isLessThan(1000);
            assertThat(api.suppressedErrors()).isZero();
        }
    }
}
