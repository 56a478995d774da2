package dev.lockscope.dashboard.findings;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.it.RunningDashboard;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/** Shared steps of the findings tests: a dashboard with a compressed window, and waiting for findings. */
final class FindingsSupport {
    /** Compressed detection window so a test sees three windows in seconds, not minutes. */
    static final Duration WINDOW = Duration.ofSeconds(4);
    /** Sample parameters are random on every run so detectors cannot be fitted to one workload. */
    static final Random RANDOM = new Random();

    private FindingsSupport() {}

    static RunningDashboard dashboard() {
        return RunningDashboard.start(DashboardConfig.defaults().withPort(0).withFindingsWindow(WINDOW));
    }

    static int between(int lo, int hi) {
        return lo + RANDOM.nextInt(hi - lo + 1);
    }

    static String jvmId(RunningDashboard d, long pid) throws Exception {
        AtomicReference<String> id = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode j = d.jvmByPid(pid);
            if (j != null) {
                id.set(j.path("id").asText());
            }
            return j != null;
        });
        return id.get();
    }

    static List<JsonNode> findings(RunningDashboard d, String jvmId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        d.get("/api/jvms/" + URLEncoder.encode(jvmId, StandardCharsets.UTF_8) + "/findings").forEach(out::add);
        return out;
    }

    /** Waits for an open finding of {@code kind}; returns it. */
    static JsonNode awaitOpen(RunningDashboard d, String jvmId, String kind, Duration timeout) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (JsonNode f : findings(d, jvmId)) {
                if (f.path("kind").asText().equals(kind) && f.path("state").asText().equals("open")) {
                    found.set(f);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    /** All findings (open or closed) of {@code kind}. */
    static List<JsonNode> ofKind(RunningDashboard d, String jvmId, String kind) throws Exception {
        return findings(d, jvmId).stream().filter(f -> f.path("kind").asText().equals(kind)).toList();
    }
}
