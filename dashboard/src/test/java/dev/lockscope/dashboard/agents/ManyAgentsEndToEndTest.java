package dev.lockscope.dashboard.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fifty agents speaking the real protocol over real WebSockets (the benchmarks' {@code AgentSwarm}, in its own
 * JVM) flood a real dashboard with {@code lock-wait} events, while a real agent in a deadlocking sample JVM is
 * connected too: the dashboard keeps each JVM within its configured retention and still shows the real JVM's
 * data exactly. The rate is kept moderate (500 events/s) because the machine running the suite is shared;
 * the capacity figures come from {@code scripts/overhead --ingest}, not from here.
 */
class ManyAgentsEndToEndTest {
    private static final String SWARM = "dev.lockscope.bench.ingest.AgentSwarm";

    @Test
    void fiftyFloodingAgentsStayWithinRetentionAndAWellFormedAgentsDeadlockIsShownExactly() throws Exception {
        assertThat(Jars.BENCHMARKS).as("build the benchmarks jar first (mvn package)").exists();
        DashboardConfig config = DashboardConfig.defaults().withPort(0).withRetention(Duration.ofSeconds(20), 50, 20);
        try (RunningDashboard dashboard = RunningDashboard.start(config);
             ChildJvm real = ChildJvm.sample("deadlock", "--threads=3", "--lock=synchronized")
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=well-formed").start();
             ChildJvm swarm = ChildJvm.main(Jars.BENCHMARKS.toString(), SWARM, "dashboard=" + dashboard.agentUrl(),
                     "agents=50", "rate=500", "duration=60", "name=swarm").start()) {
            swarm.awaitLine("connected 50", Duration.ofSeconds(30));

            // 10 events/s per agent: wait until every swarm JVM sent 100 messages (at most one a second is a
            // sample), i.e. well over the 50 events kept per JVM.
            List<String> swarmIds = new ArrayList<>();
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).until(() -> {
                swarmIds.clear();
                for (JsonNode j : dashboard.get("/api/jvms")) {
                    if (j.path("name").asText().startsWith("swarm-") && j.path("connected").asBoolean()
                            && j.path("received").asLong() >= 100) {
                        swarmIds.add(j.path("id").asText());
                    }
                }
                return swarmIds.size() == 50;
            });
            for (String id : swarmIds) {
                JsonNode events = dashboard.get("/api/jvms/" + id + "/events");
                assertThat(events.size()).as("events kept for " + id).isEqualTo(50);
                // Oldest dropped first: what is kept is the newest, in order.
                assertThat(events.get(49).path("seq").asLong()).isGreaterThan(events.get(0).path("seq").asLong());
                assertThat(dashboard.get("/api/jvms/" + id + "/samples?window=10m").size()).isBetween(1, 20);
            }
            // The real agent's deadlock gets through the flood (still running), exactly as it happened in the JVM.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode j = dashboard.jvmByPid(real.pid());
                return j != null && dashboard.get("/api/jvms/" + j.path("id").asText() + "/deadlocks").size() > 0;
            });
            JsonNode wellFormed = dashboard.jvmByPid(real.pid());
            assertThat(wellFormed.path("name").asText()).isEqualTo("well-formed");
            assertThat(wellFormed.path("connected").asBoolean()).isTrue();
            JsonNode cycle = dashboard.get("/api/jvms/" + wellFormed.path("id").asText() + "/deadlocks")
                    .get(0).path("cycles").get(0);
            assertThat(cycle.path("length").asInt()).isEqualTo(3);
            Set<String> names = new HashSet<>();
            cycle.path("threads").forEach(t -> names.add(t.path("name").asText()));
            assertThat(names).containsExactlyInAnyOrder("transfer-0", "transfer-1", "transfer-2");
            assertThat(wellFormed.path("sample").path("agent").path("droppedMessages").asLong()).isZero();

            swarm.close(); // all 50 sockets go away at once

            // Disconnected JVMs beyond --max-disconnected (20) are forgotten when the next agent connects.
            await().atMost(Duration.ofSeconds(10)).until(() -> count(dashboard, "swarm-", false) == 50);
            try (ChildJvm late = ChildJvm.main(Jars.BENCHMARKS.toString(), SWARM, "dashboard=" + dashboard.agentUrl(),
                    "agents=1", "rate=0", "duration=5", "name=late").start()) {
                late.awaitLine("connected 1", Duration.ofSeconds(30));
                assertThat(count(dashboard, "swarm-", false)).isEqualTo(20);
                assertThat(count(dashboard, "late-", true)).isEqualTo(1);
                assertThat(dashboard.jvmByPid(real.pid()).path("connected").asBoolean()).isTrue();
            }
        }
    }

    private static long count(RunningDashboard dashboard, String namePrefix, boolean connected) throws Exception {
        long n = 0;
        for (JsonNode j : dashboard.get("/api/jvms")) {
            if (j.path("name").asText().startsWith(namePrefix) && j.path("connected").asBoolean() == connected) {
                n++;
            }
        }
        return n;
    }
}
