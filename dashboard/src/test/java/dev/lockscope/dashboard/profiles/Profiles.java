package dev.lockscope.dashboard.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.RunningDashboard;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/** Test helpers for the profile API: start, wait, download and parse. */
final class Profiles {
    private Profiles() {}

    static String jvmId(RunningDashboard d, long pid) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    JsonNode j = d.jvmByPid(pid);
                    return j != null && j.path("sample").path("profile").isObject();
                });
        try {
            return d.jvmByPid(pid).path("id").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static HttpResponse<String> start(RunningDashboard d, String jvmId, String json) throws Exception {
        return d.post("/api/jvms/" + jvmId + "/profiles", json);
    }

    static JsonNode startOk(RunningDashboard d, String jvmId, String json) throws Exception {
        HttpResponse<String> r = start(d, jvmId, json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.MAPPER.readTree(r.body());
    }

    /** Waits until the capture is no longer running and returns it. */
    static JsonNode awaitFinished(RunningDashboard d, String id, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(300)).until(() -> {
            last[0] = d.get("/api/profiles/" + id);
            return !last[0].path("status").asText().equals("running");
        });
        return last[0];
    }

    static HttpResponse<byte[]> download(RunningDashboard d, String path) throws Exception {
        return HttpClientHolder.CLIENT.send(HttpRequest.newBuilder(URI.create(d.url() + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Parses collapsed text strictly: every non-empty line is {@code frames count}. */
    static Map<String, Long> collapsed(byte[] body) {
        Map<String, Long> stacks = new LinkedHashMap<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            assertThat(sp).as("line has a count: %s", line).isPositive();
            long n = Long.parseLong(line.substring(sp + 1));
            assertThat(n).isPositive();
            stacks.merge(line.substring(0, sp), n, Long::sum);
        }
        return stacks;
    }

    /** Share (0..1) of samples whose stack has a frame containing {@code frame}. */
    static double share(Map<String, Long> stacks, String frame) {
        long total = 0;
        long through = 0;
        for (Map.Entry<String, Long> e : stacks.entrySet()) {
            total += e.getValue();
            if (e.getKey().contains(frame)) {
                through += e.getValue();
            }
        }
        return total == 0 ? 0 : (double) through / total;
    }

    /** Reads a JFR download back with the JDK's own parser; returns the number of events of {@code type}. */
    static long jfrEvents(byte[] jfr, String type) throws Exception {
        Path f = Files.createTempFile("lockscope-test-", ".jfr");
        try {
            Files.write(f, jfr);
            long n = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(f)) {
                if (e.getEventType().getName().equals(type)) {
                    n++;
                }
            }
            return n;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static final class HttpClientHolder {
        static final java.net.http.HttpClient CLIENT = java.net.http.HttpClient.newHttpClient();
    }
}
