package dev.lockscope.dashboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Prometheus;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.ManyContendedLocks;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes a token-protected dashboard to which a real agent reports 10,000 distinct contended
 * locks; PromQL over Prometheus's HTTP API sees bounded lock series, thread states, pools and findings.
 * One dashboard, one child JVM and one Prometheus for the whole class.
 */
class PrometheusScrapeEndToEndTest {
    private static final String TOKEN = "prom-" + System.nanoTime();
    private static final int LOCKS = 10_000;
    private static RunningDashboard dashboard;
    private static ChildJvm app;
    private static Prometheus prometheus;
    private static String jvmId;

    @BeforeAll
    static void start() throws Exception {
        dashboard = RunningDashboard.start(DashboardConfig.defaults().withPort(0).withToken(TOKEN));
        app = ChildJvm.main(System.getProperty("java.class.path"), ManyContendedLocks.class.getName(), Integer.toString(LOCKS))
                .agent("dashboard=" + dashboard.agentUrl() + ",name=many-locks,token=" + TOKEN + ",locks.maxLocks=20000")
                .start();
        app.awaitLine("READY", Duration.ofSeconds(60));
        // Release the workload only once the lock instrumentation is live, so every one of its waits is seen.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode j = jvm();
            return j != null && j.at("/sample/locks/instrumentation/enabled").asBoolean();
        });
        jvmId = jvm().path("id").asText();
        OutputStream in = app.process().getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        app.awaitLine("DONE locks=" + LOCKS, Duration.ofSeconds(120));
        prometheus = Prometheus.scraping("127.0.0.1:" + dashboard.port(), TOKEN);
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (app != null) {
            app.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void metricsRequireTheTokenWhenOneIsSet() throws Exception {
        assertThat(dashboard.getRaw("/metrics").statusCode()).isEqualTo(401);
        HttpResponse<String> r = authorised("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(r.body()).contains("# TYPE lockscope_lock_waits_total counter");
    }

    @Test
    void tenThousandDistinctLocksBecomeTheTopTenAndOneOtherSeries() throws Exception {
        JsonNode sample = awaitSampleWithAllLocks();
        String body = authorised("/metrics").body();
        Set<String> lockIds = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^lockscope_lock_waits_total\\{[^}]*jvm_id=\"" + Pattern.quote(jvmId)
                + "\"[^}]*lock_id=\"([^\"]*)\"").matcher(body);
        while (m.find()) {
            lockIds.add(m.group(1));
        }
        assertThat(sample.at("/locks/instrumentation/enabled").asBoolean()).isTrue();
        assertThat(lockIds).hasSize(DashboardMetrics.TOP_LOCKS + 1).contains("other");
        // Each line of the exposition is one series: all lock series of all metrics stay bounded.
        long lockLines = body.lines().filter(l -> l.startsWith("lockscope_lock_")).count();
        assertThat(lockLines).isEqualTo(2L * (DashboardMetrics.TOP_LOCKS + 1));
    }

    @Test
    void prometheusScrapesTheDashboardAndPromqlReturnsTheExpectedSeries() throws Exception {
        JsonNode sample = awaitSampleWithAllLocks();
        long sentWaits = 0;
        java.util.List<JsonNode> ranked = new java.util.ArrayList<>();
        for (JsonNode l : sample.at("/locks/locks")) {
            sentWaits += l.path("waits").asLong();
            ranked.add(l);
        }
        ranked.sort(java.util.Comparator.comparingLong((JsonNode l) -> l.path("totalWaitNs").asLong()).reversed()
                .thenComparing(l -> l.path("id").asText()));
        long otherWaits = ranked.subList(DashboardMetrics.TOP_LOCKS, ranked.size()).stream()
                .mapToLong(l -> l.path("waits").asLong()).sum();
        String jvm = "jvm=\"many-locks\"";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .failFast(() -> prometheus.log().contains("level=error"))
                .until(() -> prometheus.value("up{job=\"lockscope\"}") == 1
                        && prometheus.value("count(lockscope_lock_waits_total{" + jvm + "})") == DashboardMetrics.TOP_LOCKS + 1);
        // The agent tracked all 10,000 locks, sent its top 100 with each sample; the dashboard keeps 10 + other.
        assertThat(sample.at("/locks/locksNotSent").asLong()).isGreaterThanOrEqualTo(LOCKS - 100);
        assertThat(prometheus.value("sum(lockscope_lock_waits_total{" + jvm + "})")).isEqualTo(sentWaits);
        assertThat(prometheus.value("lockscope_lock_waits_total{" + jvm + ",lock=\"other\"}")).isEqualTo(otherWaits);
        assertThat(prometheus.value("lockscope_jvm_connected{" + jvm + "}")).isEqualTo(1);
        assertThat(prometheus.value("lockscope_jvm_threads{" + jvm + ",state=\"BLOCKED\"}")).isGreaterThanOrEqualTo(1);
        assertThat(prometheus.value("lockscope_pool_max_threads{" + jvm + ",pool=~\".*render.*\"}")).isEqualTo(3);
        assertThat(prometheus.value("lockscope_pool_tasks_completed_total{" + jvm + ",pool=~\".*render.*\"}")).isPositive();
        assertThat(prometheus.value("lockscope_findings_open{" + jvm + ",kind=\"deadlock\"}")).isEqualTo(0);
    }

    /** The latest sample once it carries the workload's locks (each contended once: waits of 1). */
    private static JsonNode awaitSampleWithAllLocks() {
        JsonNode[] s = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode j = jvm();
            s[0] = j.path("sample");
            return s[0].at("/locks/locksNotSent").asLong() >= LOCKS - 100;
        });
        return s[0];
    }

    private static JsonNode jvm() throws Exception {
        JsonNode list = Json.MAPPER.readTree(authorised("/api/jvms").body());
        for (JsonNode j : list) {
            if (j.path("pid").asLong() == app.pid()) {
                return j;
            }
        }
        return null;
    }

    private static HttpResponse<String> authorised(String path) throws Exception {
        return dashboard.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path)).header("Authorization", "Bearer " + TOKEN));
    }
}
