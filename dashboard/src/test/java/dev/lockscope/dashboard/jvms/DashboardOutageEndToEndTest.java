package dev.lockscope.dashboard.jvms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.PacedWorkload;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The app must not notice the dashboard going away, and the agent must come back when it returns. */
class DashboardOutageEndToEndTest {

    @Test
    void appKeepsItsThroughputWhileTheDashboardIsDownAndTheAgentReconnectsAfterRestart() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(System.getProperty("java.class.path"), PacedWorkload.class.getName())
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=paced").start()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> dashboard.jvmByPid(app.pid()) != null);
            app.awaitLine("ops=", Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> dashboard.jvmByPid(app.pid()).path("sample").isObject());
            var original = dashboard.jvmByPid(app.pid());
            double before = meanOpsOverNextSeconds(app, 5);

            dashboard.stop();
            double during = meanOpsOverNextSeconds(app, 5);
            System.out.printf("throughput with dashboard up: %.0f ops/s, down: %.0f ops/s (%.1f%%)%n",
                    before, during, 100 * (during - before) / before);
            // Harm would be a drop; a rise is machine noise (the other core's load changing).
            assertThat(during).isGreaterThanOrEqualTo(0.9 * before);

            long restartedAt = System.nanoTime();
            dashboard.restart();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        var j = dashboard.jvmByPid(app.pid());
                        return j != null && j.path("connected").asBoolean();
                    });
            long reconnectMs = (System.nanoTime() - restartedAt) / 1_000_000;
            System.out.printf("agent reconnected %d ms after the dashboard restarted (backoff cap %d ms)%n",
                    reconnectMs, dev.lockscope.agent.transport.Backoff.MAX_MS);
            // Backoff cap plus connect and hello/ack; generous for a loaded CI machine.
            assertThat(reconnectMs).isLessThan(dev.lockscope.agent.transport.Backoff.MAX_MS + 5_000);
            // Live state is rebuilt on the fresh dashboard: the same JVM (same id, identity and features), samples
            // flowing in order, and cumulative counters carrying on from where they were, not from zero.
            await().atMost(Duration.ofSeconds(5)).until(() -> dashboard.jvmByPid(app.pid()).path("sample").isObject());
            var rebuilt = dashboard.jvmByPid(app.pid());
            assertThat(rebuilt.path("id").asText()).isEqualTo(original.path("id").asText());
            assertThat(rebuilt.path("name").asText()).isEqualTo("paced");
            assertThat(rebuilt.path("mainClass").asText()).isEqualTo(original.path("mainClass").asText());
            assertThat(texts(rebuilt.path("features"))).containsAll(texts(original.path("features")));
            assertThat(rebuilt.path("connects").asLong()).isEqualTo(1);
            assertThat(rebuilt.at("/sample/vitals/threads/started").asLong())
                    .isGreaterThanOrEqualTo(original.at("/sample/vitals/threads/started").asLong());
            assertThat(rebuilt.at("/sample/vitals/cpu/processCpuTimeNs").asLong())
                    .isGreaterThan(original.at("/sample/vitals/cpu/processCpuTimeNs").asLong());
            String id = rebuilt.path("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> dashboard.get("/api/jvms/" + id + "/samples?window=60s").size() >= 3);
            var samples = dashboard.get("/api/jvms/" + id + "/samples?window=60s");
            for (int i = 1; i < samples.size(); i++) {
                assertThat(samples.get(i).path("seq").asLong()).isGreaterThan(samples.get(i - 1).path("seq").asLong());
            }
            assertThat(app.isAlive()).isTrue();
        }
    }

    private static List<String> texts(com.fasterxml.jackson.databind.JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static double meanOpsOverNextSeconds(ChildJvm app, int seconds) throws InterruptedException {
        int start = app.stdout().size();
        long deadline = System.currentTimeMillis() + (seconds + 5) * 1000L;
        while (app.stdout().size() < start + seconds + 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        List<String> lines = app.stdout().subList(start + 1, Math.min(app.stdout().size(), start + seconds + 1));
        return lines.stream().filter(l -> l.startsWith("ops=")).mapToLong(l -> Long.parseLong(l.substring(4)))
                .average().orElseThrow();
    }
}
