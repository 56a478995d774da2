package dev.lockscope.dashboard.findings;

import static dev.lockscope.dashboard.findings.FindingsSupport.between;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Tasks that wait on their own small pool stall it with no lock cycle; the fix (a separate pool) does not. */
class PoolDeadlockFindingEndToEndTest {

    @Test
    void workersWaitingOnTasksQueuedBehindThemInTheSamePoolAreReported() throws Exception {
        int workers = between(2, 6);
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("pool-deadlock", "--workers=" + workers, "--parts=" + between(2, 4),
                     "--part=" + between(5, 30)).agent("dashboard=" + d.agentUrl() + ",name=reports").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            JsonNode f = FindingsSupport.awaitOpen(d, id, "pool-deadlock", Duration.ofSeconds(40));
            assertThat(f.path("severity").asText()).isEqualTo("critical");
            assertThat(f.at("/evidence/workers").asInt()).isEqualTo(workers);
            assertThat(f.at("/evidence/pool").asText()).contains("report-worker");
            assertThat(f.path("explanation").asText()).contains("report-worker").contains("findDeadlockedThreads");
            assertThat(f.path("fix").asText()).contains("PoolDeadlock.generateReport");
            assertThat(FindingsSupport.ofKind(d, id, "deadlock")).isEmpty();
        }
    }

    @Test
    void subtasksOnTheirOwnPoolRaiseNoFinding() throws Exception {
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("pool-deadlock", "--fixed", "--workers=" + between(2, 6))
                     .agent("dashboard=" + d.agentUrl() + ",name=reports-fixed").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            Thread.sleep(3 * FindingsSupport.WINDOW.toMillis() + 3000);
            assertThat(FindingsSupport.findings(d, id)).isEmpty();
        }
    }
}
