package dev.lockscope.dashboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real dashboard with a data directory and a real deadlocked sample: captures and findings history outlive a
 * restart of the dashboard, and restarts with a small size limit or a short maximum age prune them.
 */
class DataDirEndToEndTest {
    @Test
    void capturesAndFindingsHistorySurviveARestartAndSizeAndAgeLimitsPruneThem(@TempDir Path dataDir) throws Exception {
        DashboardConfig config = DashboardConfig.defaults().withPort(0)
                .withDataDir(dataDir, Duration.ofDays(7), 1L << 30);
        String jvmId;
        String dumpId;
        String dumpText;
        String findingId;
        String profileId;
        String collapsed;
        try (RunningDashboard d = RunningDashboard.start(config)) {
            try (ChildJvm app = ChildJvm.sample("deadlock", "--lock=reentrant")
                    .agent("dashboard=" + d.agentUrl() + ",name=persisted").start()) {
                app.awaitLine("cycle formed at", Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> d.jvmByPid(app.pid()) != null);
                jvmId = d.jvmByPid(app.pid()).path("id").asText();
                String path = "/api/jvms/" + jvmId;
                JsonNode finding = awaitFinding(d, path, "deadlock");
                findingId = finding.path("id").asText();

                HttpResponse<String> dump = d.post(path + "/threaddump", "{}");
                assertThat(dump.statusCode()).isEqualTo(200);
                dumpId = Json.MAPPER.readTree(dump.body()).path("id").asText();
                dumpText = d.getRaw("/api/threaddumps/" + dumpId + "?format=text").body();
                assertThat(dumpText).contains("transfer-0");

                // Features start in the background after the hello: wait until the profiler answers commands.
                await().atMost(Duration.ofSeconds(60)).until(() -> d.get(path).path("features").toString().contains("\"profile\""));
                HttpResponse<String> started = d.post(path + "/profiles", "{\"event\":\"cpu\",\"duration\":1}");
                assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
                profileId = Json.MAPPER.readTree(started.body()).path("id").asText();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                        .until(() -> d.get("/api/profiles/" + profileId).path("status").asText(), s -> !s.equals("running"));
                assertThat(d.get("/api/profiles/" + profileId).path("status").asText()).isEqualTo("done");
                collapsed = d.getRaw("/api/profiles/" + profileId + "/collapsed").body();
            }
            d.stop();
            d.restart();

            // The JVM is gone and the dashboard is a new one: everything below comes from the data directory.
            String path = "/api/jvms/" + jvmId;
            JsonNode jvm = d.get(path);
            assertThat(jvm.path("name").asText()).isEqualTo("persisted");
            assertThat(jvm.path("connected").asBoolean()).isFalse();
            List<String> dumps = ids(d.get(path + "/threaddumps"));
            assertThat(dumps).contains(dumpId);
            assertThat(d.get(path + "/threaddumps")).anySatisfy(c -> assertThat(c.path("trigger").asText()).isEqualTo("deadlock"));
            assertThat(d.getRaw("/api/threaddumps/" + dumpId + "?format=text").body()).isEqualTo(dumpText);
            JsonNode findings = d.get(path + "/findings");
            assertThat(findings).anySatisfy(f -> {
                assertThat(f.path("id").asText()).isEqualTo(findingId);
                assertThat(f.path("kind").asText()).isEqualTo("deadlock");
                assertThat(f.path("state").asText()).isEqualTo("closed");
                assertThat(f.path("explanation").asText()).contains("circular wait");
            });
            assertThat(ids(d.get(path + "/profiles"))).containsExactly(profileId);
            assertThat(d.getRaw("/api/profiles/" + profileId + "/collapsed").body()).isEqualTo(collapsed);
        }

        // A size limit that holds exactly the two newest captures: a restart keeps those and deletes the rest.
        List<JsonNode> stored = new ArrayList<>();
        Json.MAPPER.readTree(dataDir.resolve("index.json").toFile()).path("captures").forEach(stored::add);
        stored.sort(java.util.Comparator.comparingLong(c -> c.path("ts").asLong()));
        assertThat(stored.size()).isGreaterThan(2);
        List<JsonNode> newest = stored.subList(stored.size() - 2, stored.size());
        long limit = newest.stream().mapToLong(c -> c.path("bytes").asLong()).sum();
        try (RunningDashboard d = RunningDashboard.start(config.withDataDir(dataDir, Duration.ofDays(7), limit))) {
            List<String> kept = new ArrayList<>();
            Json.MAPPER.readTree(dataDir.resolve("index.json").toFile()).path("captures")
                    .forEach(c -> kept.add(c.path("kind").asText() + "/" + c.path("id").asText()));
            assertThat(kept).containsExactlyInAnyOrderElementsOf(newest.stream()
                    .map(c -> c.path("kind").asText() + "/" + c.path("id").asText()).toList());
            for (JsonNode gone : stored.subList(0, stored.size() - 2)) {
                assertThat(dataDir.resolve(gone.path("kind").asText()).resolve(gone.path("id").asText())).doesNotExist();
            }
        }

        Thread.sleep(1_500);
        DashboardConfig shortLived = config.withDataDir(dataDir, Duration.ofSeconds(1), 1L << 30);
        try (RunningDashboard d = RunningDashboard.start(shortLived)) {
            assertThat(d.getRaw("/api/jvms/" + jvmId).statusCode()).isEqualTo(404);
            assertThat(d.getRaw("/api/threaddumps/" + dumpId).statusCode()).isEqualTo(404);
            assertThat(d.getRaw("/api/profiles/" + profileId).statusCode()).isEqualTo(404);
            assertThat(dataDir.resolve("threaddump").resolve(dumpId)).doesNotExist();
        }
    }

    private static JsonNode awaitFinding(RunningDashboard d, String path, String kind) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            for (JsonNode f : d.get(path + "/findings")) {
                if (kind.equals(f.path("kind").asText())) {
                    found[0] = f;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path("id").asText()));
        return out;
    }
}
