package dev.lockscope.dashboard.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.TcpProxy;
import dev.lockscope.it.programs.PacedWorkload;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent's connection broken on purpose by a {@link TcpProxy} between a real agent (in a paced child JVM)
 * and a real dashboard: dropped in the middle of a thread dump, of a running profile and of the transfer of a
 * profile's result, and a dashboard that stops reading. One app, proxy and dashboard serve every test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionFaultsEndToEndTest {
    /** The agent's outbound queue, small so a stalled peer fills it quickly. */
    private static final int QUEUE = 64;

    private RunningDashboard dashboard;
    private TcpProxy proxy;
    private ChildJvm app;
    private String jvmId;

    @BeforeAll
    void start() throws Exception {
        dashboard = RunningDashboard.start();
        proxy = TcpProxy.to(dashboard.port());
        app = ChildJvm.main(System.getProperty("java.class.path"), PacedWorkload.class.getName(), "4", "1")
                // every contended wait is sent as an event: enough traffic to fill a stalled connection quickly
                .agent("dashboard=" + proxy.agentUrl() + ",name=faulty,queue=" + QUEUE + ",locks.longWait=1ms").start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode j = dashboard.jvmByPid(app.pid());
            return j != null && j.path("sample").path("profile").isObject();
        });
        jvmId = dashboard.jvmByPid(app.pid()).path("id").asText();
    }

    @AfterAll
    void stop() throws Exception {
        app.close();
        proxy.close();
        dashboard.close();
    }

    @Test
    void connectionDroppedMidDumpFailsTheRequestWithAReasonAndStoresNoCapture() throws Exception {
        long connectsBefore = jvm().path("connects").asLong();
        var cut = proxy.cutAfter("\"command\":\"threaddump\"", () -> {});

        HttpResponse<String> r = dashboard.post("/api/jvms/" + jvmId + "/threaddump", "{}");

        assertThat(cut).isDone();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText())
                .isEqualTo("the agent disconnected before answering");
        awaitReconnected(connectsBefore);
        // The agent answers the lost request on its new connection; the dashboard must not store that late dump.
        Thread.sleep(1500);
        assertThat(manualDumps(jvmId)).isEmpty();

        HttpResponse<String> again = dashboard.post("/api/jvms/" + jvmId + "/threaddump", "{}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(manualDumps(jvmId)).containsExactly(Json.MAPPER.readTree(again.body()).path("id").asText());
    }

    @Test
    void targetJvmKilledMidDumpFailsTheRequestWithAReasonAndStoresNoCapture() throws Exception {
        try (ChildJvm victim = ChildJvm.main(System.getProperty("java.class.path"), PacedWorkload.class.getName())
                .agent("dashboard=" + proxy.agentUrl() + ",name=victim,locks.instrument=false,pools.instrument=false")
                .start()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> dashboard.jvmByPid(victim.pid()) != null);
            String victimId = dashboard.jvmByPid(victim.pid()).path("id").asText();
            // SIGKILL the moment the request is on its way: the JVM dies before it can answer.
            var killed = proxy.cutAfter("\"command\":\"threaddump\"", () -> victim.process().destroyForcibly());

            HttpResponse<String> r = dashboard.post("/api/jvms/" + victimId + "/threaddump", "{}");

            assertThat(killed).isDone();
            assertThat(victim.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText())
                    .isEqualTo("the agent disconnected before answering");
            assertThat(manualDumps(victimId)).isEmpty();
            assertThat(dashboard.get("/api/jvms/" + victimId).path("connected").asBoolean()).isFalse();
            HttpResponse<String> after = dashboard.post("/api/jvms/" + victimId + "/threaddump", "{}");
            assertThat(after.statusCode()).isEqualTo(503);
            assertThat(after.body()).contains("is not connected");
        }
    }

    @Test
    void connectionDroppedWhileAProfileRunsIsBridgedByTheReconnectAndTheProfileCompletes() throws Exception {
        long connectsBefore = jvm().path("connects").asLong();
        String id = startProfile("{\"event\":\"wall\",\"duration\":4}");
        Thread.sleep(1000);

        proxy.cutAll();
        awaitReconnected(connectsBefore);

        JsonNode done = awaitFinished(id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.path("samples").asLong()).isPositive();
        HttpResponse<String> collapsed = dashboard.getRaw("/api/profiles/" + id + "/collapsed");
        assertThat(collapsed.statusCode()).isEqualTo(200);
        assertThat(collapsed.body()).contains("PacedWorkload");
    }

    @Test
    void connectionDroppedWhileAProfileResultIsTransferredFailsTheCaptureAndKeepsNoPartOfIt() throws Exception {
        String id = startProfile("{\"event\":\"wall\",\"duration\":2}");
        var cut = proxy.cutAfter("\"command\":\"profile.fetch\"", () -> {});

        JsonNode failed = awaitFinished(id);

        assertThat(cut).isDone();
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("reason").asText())
                .isEqualTo("collecting the result failed: the agent disconnected before answering");
        assertThat(failed.path("collapsedBytes").asLong()).isZero();
        assertThat(failed.path("links").has("collapsed")).isFalse();
        assertThat(dashboard.getRaw("/api/profiles/" + id + "/collapsed").statusCode()).isEqualTo(409);
        assertThat(dashboard.getRaw("/api/profiles/" + id + "/jfr").statusCode()).isEqualTo(409);
    }

    @Test
    void aDashboardThatStopsReadingNeverSlowsTheAppAndTheAgentDropsAndCountsInsteadOfQueueing() throws Exception {
        double before = meanOps(3);
        long droppedBefore = jvm().path("sample").path("agent").path("droppedMessages").asLong();

        // From now on the agent's peer accepts TCP connections but reads nothing: not the WebSocket upgrade of
        // a reconnect, not a frame. (An established connection that stops being read fills the kernel's socket
        // buffers first, which at this rate takes longer than the suite can wait; the send timeout covers it.)
        proxy.stall(true);
        proxy.cutAll();
        double during = meanOps(6);
        proxy.stall(false);

        System.out.printf("paced app with a dashboard that reads: %.0f ops/s; that stopped reading: %.0f ops/s (%.1f%%)%n",
                before, during, 100 * (during - before) / before);
        // Harm would be a drop; a rise is machine noise (the other core's load changing).
        assertThat(during).isGreaterThanOrEqualTo(0.9 * before);
        JsonNode agent = awaitSampleNewerThan(System.currentTimeMillis()).path("agent");
        System.out.printf("agent after the stall: %d messages dropped (queue capacity %d), %d queued%n",
                agent.path("droppedMessages").asLong() - droppedBefore, QUEUE, agent.path("queuedMessages").asLong());
        assertThat(agent.path("droppedMessages").asLong()).isGreaterThan(droppedBefore);
        assertThat(agent.path("queuedMessages").asLong()).isLessThanOrEqualTo(QUEUE);
        assertThat(app.isAlive()).isTrue();
    }

    /** Ids of the dumps taken on request (findings may take their own: the workload waits on purpose). */
    private List<String> manualDumps(String id) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        dashboard.get("/api/jvms/" + id + "/threaddumps").forEach(c -> {
            if (c.path("trigger").asText().equals("manual")) {
                ids.add(c.path("id").asText());
            }
        });
        return ids;
    }

    private JsonNode jvm() throws Exception {
        return dashboard.get("/api/jvms/" + jvmId);
    }

    private void awaitReconnected(long connectsBefore) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode j = jvm();
            return j.path("connected").asBoolean() && j.path("connects").asLong() > connectsBefore;
        });
    }

    private JsonNode awaitSampleNewerThan(long ts) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = jvm();
            return last[0].path("connected").asBoolean() && last[0].path("sampleTs").asLong() > ts;
        });
        return last[0].path("sample");
    }

    private String startProfile(String json) throws Exception {
        HttpResponse<String> r = dashboard.post("/api/jvms/" + jvmId + "/profiles", json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.MAPPER.readTree(r.body()).path("id").asText();
    }

    private JsonNode awaitFinished(String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = dashboard.get("/api/profiles/" + id);
            return !last[0].path("status").asText().equals("running");
        });
        return last[0];
    }

    /** Mean of the app's own once-a-second {@code ops=} lines over the next {@code seconds} seconds. */
    private double meanOps(int seconds) throws InterruptedException {
        int start = app.stdout().size();
        long deadline = System.currentTimeMillis() + (seconds + 5) * 1000L;
        while (app.stdout().size() < start + seconds + 1 && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        List<String> lines = app.stdout().subList(start + 1, Math.min(app.stdout().size(), start + seconds + 1));
        return lines.stream().filter(l -> l.startsWith("ops=")).mapToLong(l -> Long.parseLong(l.substring(4)))
                .average().orElseThrow();
    }
}
