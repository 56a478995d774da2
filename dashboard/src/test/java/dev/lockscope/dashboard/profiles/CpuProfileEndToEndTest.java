package dev.lockscope.dashboard.profiles;

import static dev.lockscope.dashboard.profiles.Profiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** cpu profiles of the cpu-burn sample, with each engine, through the dashboard's HTTP API. */
class CpuProfileEndToEndTest {

    @Test
    void cpuProfileByAsyncProfilerPutsMostSamplesInTheBurningMethodAndASecondProfileIsBusy() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("cpu-burn", "--threads=2")
                     .agent("dashboard=" + d.agentUrl() + ",name=burner").start()) {
            String jvm = jvmId(d, app.pid());
            JsonNode started = startOk(d, jvm, "{\"event\":\"cpu\",\"duration\":6}");
            String id = started.path("id").asText();
            assertThat(started.path("status").asText()).isEqualTo("running");
            assertThat(started.path("engine").asText()).isEqualTo("async-profiler");

            HttpResponse<String> second = start(d, jvm, "{\"event\":\"wall\",\"duration\":5}");
            assertThat(second.statusCode()).isEqualTo(409);
            assertThat(second.body()).contains("busy").contains(id);

            JsonNode done = awaitFinished(d, id, Duration.ofSeconds(60));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
            assertThat(done.path("engine").asText()).isEqualTo("async-profiler");
            assertThat(done.path("endedAt").asLong()).isGreaterThanOrEqualTo(done.path("startedAt").asLong() + 5000);

            HttpResponse<byte[]> collapsed = download(d, "/api/profiles/" + id + "/collapsed");
            assertThat(collapsed.statusCode()).isEqualTo(200);
            assertThat(collapsed.headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
            Map<String, Long> stacks = collapsed(collapsed.body());
            long samples = stacks.values().stream().mapToLong(Long::longValue).sum();
            double burn = share(stacks, "dev.lockscope.samples.CpuBurn.checksum");
            System.out.printf("async-profiler cpu: %d samples, %.1f%% in CpuBurn.checksum%n", samples, burn * 100);
            assertThat(samples).isEqualTo(done.path("samples").asLong()).isGreaterThan(100);
            assertThat(burn).isGreaterThan(0.6);

            HttpResponse<byte[]> jfr = download(d, "/api/profiles/" + id + "/jfr");
            assertThat(jfr.statusCode()).isEqualTo(200);
            assertThat(jfr.headers().firstValue("Content-Disposition").orElse("")).contains(".jfr");
            assertThat(jfrEvents(jfr.body(), "jdk.ExecutionSample")).isGreaterThan(100);

            HttpResponse<byte[]> html = download(d, "/api/profiles/" + id + "/html");
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.headers().firstValue("Content-Security-Policy").orElse("")).contains("sandbox allow-scripts");
            assertThat(new String(html.body())).contains("const cpool").contains("CPU profile of burner");

            JsonNode list = d.get("/api/jvms/" + jvm + "/profiles");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).path("id").asText()).isEqualTo(id);
            JsonNode sample = d.jvmByPid(app.pid()).path("sample");
            assertThat(sample.at("/profile/started").asLong()).isEqualTo(1);
            assertThat(sample.at("/agent/suppressedErrors").asLong()).isZero();
        }
    }

    @Test
    void jfrEngineForcedByOptionProducesAValidFlameGraphOfTheSameWorkload() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("cpu-burn", "--threads=2")
                     .agent("dashboard=" + d.agentUrl() + ",name=burner-jfr,profiler=jfr").start()) {
            String jvm = jvmId(d, app.pid());
            String id = startOk(d, jvm, "{\"event\":\"cpu\",\"duration\":6}").path("id").asText();
            JsonNode done = awaitFinished(d, id, Duration.ofSeconds(60));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
            assertThat(done.path("engine").asText()).isEqualTo("jfr");
            assertThat(done.path("engineNote").asText()).contains("profiler=jfr");

            Map<String, Long> stacks = collapsed(download(d, "/api/profiles/" + id + "/collapsed").body());
            long samples = stacks.values().stream().mapToLong(Long::longValue).sum();
            double burn = share(stacks, "dev.lockscope.samples.CpuBurn.checksum");
            System.out.printf("jfr cpu: %d samples, %.1f%% in CpuBurn.checksum%n", samples, burn * 100);
            assertThat(samples).isGreaterThan(100);
            assertThat(burn).isGreaterThan(0.6);
            assertThat(jfrEvents(download(d, "/api/profiles/" + id + "/jfr").body(), "jdk.ExecutionSample"))
                    .isGreaterThanOrEqualTo(samples);
            HttpResponse<byte[]> html = download(d, "/api/profiles/" + id + "/html");
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(new String(html.body())).contains("const cpool").contains("(jfr, " + samples + " samples)");
            assertThat(d.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }

    @Test
    void jvmExitingMidProfileFailsTheCaptureWithAReasonAndKeepsNothing() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("cpu-burn", "--threads=1")
                     .agent("dashboard=" + d.agentUrl() + ",name=short-lived").start()) {
            String jvm = jvmId(d, app.pid());
            String id = startOk(d, jvm, "{\"event\":\"cpu\",\"duration\":60}").path("id").asText();
            Thread.sleep(2000);
            app.process().destroy(); // SIGTERM: the JVM exits normally, running its shutdown hooks
            app.awaitExit(Duration.ofSeconds(30));
            JsonNode failed = awaitFinished(d, id, Duration.ofSeconds(30));
            assertThat(failed.path("status").asText()).isEqualTo("failed");
            assertThat(failed.path("reason").asText()).contains("disconnected during the profile");
            assertThat(failed.path("collapsedBytes").asLong()).isZero();
            assertThat(failed.path("links").has("collapsed")).isFalse();
            assertThat(download(d, "/api/profiles/" + id + "/collapsed").statusCode()).isEqualTo(409);
            // the agent's shutdown hook removed its temporary results
            try (var tmp = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
                assertThat(tmp.map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.startsWith("lockscope-profiles-" + app.pid() + "-"));
            }
        }
    }

    @Test
    void profileWithoutDurationRunsUntilStoppedAndKeepsOnlyTheFilteredThreads() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("cpu-burn", "--threads=2")
                     .agent("dashboard=" + d.agentUrl() + ",name=until-stopped").start()) {
            String jvm = jvmId(d, app.pid());
            JsonNode started = startOk(d, jvm, "{\"event\":\"cpu\",\"duration\":0,\"threads\":\"burner-1\",\"byThread\":true}");
            String id = started.path("id").asText();
            Thread.sleep(3000);
            assertThat(d.get("/api/profiles/" + id).path("status").asText()).isEqualTo("running");
            HttpResponse<String> stop = d.post("/api/profiles/" + id + "/stop", "{}");
            assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
            JsonNode done = awaitFinished(d, id, Duration.ofSeconds(30));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
            long ranMs = done.path("endedAt").asLong() - done.path("startedAt").asLong();
            assertThat(ranMs).isBetween(2500L, 20_000L);
            Map<String, Long> stacks = collapsed(download(d, "/api/profiles/" + id + "/collapsed").body());
            assertThat(stacks).isNotEmpty();
            assertThat(stacks.keySet()).allMatch(s -> s.startsWith("[burner-1];"), "only burner-1, as the root frame");
            assertThat(share(stacks, "CpuBurn.checksum")).isGreaterThan(0.6);
        }
    }
}
