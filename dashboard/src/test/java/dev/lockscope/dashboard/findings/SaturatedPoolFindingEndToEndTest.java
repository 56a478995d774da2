package dev.lockscope.dashboard.findings;

import static dev.lockscope.dashboard.findings.FindingsSupport.between;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The saturated-pool sample gets a finding within 10 s; backpressure and a pool under capacity get none. */
class SaturatedPoolFindingEndToEndTest {

    @Test
    void aPoolWhoseQueueGrowsWithoutBoundIsReportedWithRatesAndSizingAdvice() throws Exception {
        int workers = between(2, 6);
        int taskMs = between(15, 40);
        int capacity = workers * 1000 / taskMs;
        int rate = (int) (capacity * (1.3 + FindingsSupport.RANDOM.nextDouble() * 0.5));
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("saturated-pool", "--workers=" + workers, "--task=" + taskMs,
                     "--rate=" + rate).agent("dashboard=" + d.agentUrl() + ",name=orders").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            long connected = System.currentTimeMillis();
            JsonNode f = FindingsSupport.awaitOpen(d, id, "saturated-pool", Duration.ofSeconds(20));
            long after = System.currentTimeMillis() - connected;
            System.out.printf("saturated-pool finding after %d ms (workers=%d task=%dms rate=%d/s capacity=%d/s)%n",
                    after, workers, taskMs, rate, capacity);
            assertThat(after).isLessThan(10_000 + 5_000); // 10 s target, margin for a loaded machine
            assertThat(f.at("/evidence/pool").asText()).contains("orders-worker");
            assertThat(f.path("explanation").asText()).contains("orders-worker").contains("Little's law")
                    .contains("all " + workers + " workers");
            assertThat(f.at("/evidence/arrivalPerSec").asDouble()).isGreaterThan(f.at("/evidence/drainPerSec").asDouble());
            assertThat(f.at("/evidence/workersNeeded").asDouble()).isGreaterThan(workers);
            assertThat(f.path("fix").asText()).contains("bounded queue").contains("orders-worker");
        }
    }

    @Test
    void backpressureAndAPoolUnderCapacityRaiseNoFinding() throws Exception {
        int workers = between(2, 6);
        int taskMs = between(15, 40);
        int capacity = workers * 1000 / taskMs;
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm fixed = ChildJvm.sample("saturated-pool", "--fixed", "--workers=" + workers, "--task=" + taskMs,
                     "--rate=" + (int) (capacity * 1.5)).agent("dashboard=" + d.agentUrl() + ",name=backpressure").start();
             ChildJvm healthy = ChildJvm.sample("saturated-pool", "--workers=" + workers, "--task=" + taskMs,
                     "--rate=" + (int) (capacity * 0.6)).agent("dashboard=" + d.agentUrl() + ",name=under-capacity").start()) {
            String fixedId = FindingsSupport.jvmId(d, fixed.pid());
            String healthyId = FindingsSupport.jvmId(d, healthy.pid());
            Thread.sleep(3 * FindingsSupport.WINDOW.toMillis() + 3000);
            assertThat(FindingsSupport.findings(d, fixedId)).isEmpty();
            assertThat(FindingsSupport.findings(d, healthyId)).isEmpty();
        }
    }
}
