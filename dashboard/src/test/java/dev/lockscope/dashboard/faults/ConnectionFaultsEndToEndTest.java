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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent's connection broken on purpose by a {@link TcpProxy} between a real agent (in a paced child JVM)
 * and a real dashboard: dropped in the middle of a thread dump, of a running profile and of the transfer of a
 * profile's result, and a dashboard that stops reading. One app, proxy and dashboard serve every test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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

    /** Each test starts from a connected agent, whatever the one before it broke. */
    @BeforeEach
    void connected() {
        proxy.stall(false);
        proxy.refuse(false);
        if (app.isAlive()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> jvm().path("connected").asBoolean());
        }
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
        // Reconnects are refused until the dashboard has answered: otherwise the agent may be back, and answer
        // the request on its new connection, before the dashboard notices the old one broke (then the dump
        // simply succeeds, whole).
        var cut = proxy.cutAfter("\"command\":\"threaddump\"", () -> proxy.refuse(true));

        HttpResponse<String> r = dashboard.post("/api/jvms/" + jvmId + "/threaddump", "{}");
        proxy.refuse(false);

        assertThat(cut).succeedsWithin(Duration.ofSeconds(5)); // completed just after the cut the dashboard saw
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
        // As mid-dump: refused reconnects keep the agent from answering the fetch on a new connection.
        var cut = proxy.cutAfter("\"command\":\"profile.fetch\"", () -> proxy.refuse(true));

        JsonNode failed = awaitFinished(id);
        proxy.refuse(false);

        assertThat(cut).succeedsWithin(Duration.ofSeconds(5)); // completed just after the cut the dashboard saw
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
        double before = meanOps(5);
        long droppedBefore = jvm().path("sample").path("agent").path("droppedMessages").asLong();

        // From now on the agent's peer accepts TCP connections but reads nothing: not the WebSocket upgrade of
        // a reconnect, not a frame. (An established connection that stops being read fills the kernel's socket
        // buffers first, which at this rate takes longer than the suite can wait; the send timeout covers it.)
        List<Long> seconds;
        proxy.stall(true);
        try {
            proxy.cutAll();
            seconds = opsPerSecond(6);
        } finally {
            proxy.stall(false);
        }
        double during = seconds.stream().mapToLong(Long::longValue).average().orElseThrow();

        System.out.printf("paced app with a dashboard that reads: %.0f ops/s; that stopped reading: %.0f ops/s (%.1f%%), each second %s%n",
                before, during, 100 * (during - before) / before, seconds);
        JsonNode agent = awaitSampleNewerThan(System.currentTimeMillis()).path("agent");
        // Blocking would show as seconds with (almost) nothing done. The mean's margin is for the noise of a loaded
        // 2-core machine: this paced app's rate follows how promptly its sleeps wake (seen: -17 % to +11 %).
        assertThat(seconds).as("ops in each second of the stall").allMatch(n -> n >= 0.5 * before);
        assertThat(during).isGreaterThanOrEqualTo(0.75 * before);
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

    /** Runs last: it kills the shared app. */
    @Test
    @Order(Integer.MAX_VALUE)
    void targetJvmKilledMidDumpFailsTheRequestWithAReasonAndStoresNoCapture() throws Exception {
        int dumpsBefore = manualDumps(jvmId).size();
        // SIGKILL the moment the request is on its way: the JVM dies before it can answer.
        var killed = proxy.cutAfter("\"command\":\"threaddump\"", () -> app.process().destroyForcibly());

        HttpResponse<String> r = dashboard.post("/api/jvms/" + jvmId + "/threaddump", "{}");

        assertThat(killed).succeedsWithin(Duration.ofSeconds(5));
        assertThat(app.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText())
                .isEqualTo("the agent disconnected before answering");
        Thread.sleep(500);
        assertThat(dashboard.get("/api/jvms/" + jvmId).path("connected").asBoolean()).isFalse();
        HttpResponse<String> after = dashboard.post("/api/jvms/" + jvmId + "/threaddump", "{}");
        assertThat(after.statusCode()).isEqualTo(503);
        assertThat(after.body()).contains("is not connected");
        assertThat(manualDumps(jvmId)).hasSize(dumpsBefore);
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
        return opsPerSecond(seconds).stream().mapToLong(Long::longValue).average().orElseThrow();
    }

    /** The app's own once-a-second {@code ops=} figures over the next {@code seconds} seconds. */
    private List<Long> opsPerSecond(int seconds) throws InterruptedException {
        int start = app.stdout().size();
        long deadline = System.currentTimeMillis() + (seconds + 5) * 1000L;
        while (app.stdout().size() < start + seconds + 1 && System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        List<String> lines = app.stdout().subList(start + 1, Math.min(app.stdout().size(), start + seconds + 1));
        return lines.stream().filter(l -> l.startsWith("ops=")).map(l -> Long.parseLong(l.substring(4))).toList();
    }
}
