package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Request pools of real servers that are not java.util.concurrent pools: an embedded Tomcat and a Javalin
 * (Jetty) server, each given more concurrent slow requests than it has threads, show their pool saturated.
 */
class ServerPoolsEndToEndTest {
    /** Tomcat names its request pool after the connector: protocol, address, port ("auto-1" for port 0). */
    private static final String TOMCAT_POOL = "http-nio-127.0.0.1-auto-1-exec";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private List<CompletableFuture<HttpResponse<String>>> slowRequests(int port, int n, long ms) {
        List<CompletableFuture<HttpResponse<String>>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=" + ms))
                    .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        return out;
    }

    @Test
    void embeddedTomcatUnderMoreSlowRequestsThanThreadsShowsItsRequestPoolSaturated() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(PoolsApi.childClasspath(), TomcatServerApp.class.getName())
                     .agent("dashboard=" + d.agentUrl() + ",name=tomcat").start()) {
            int port = Integer.parseInt(app.awaitLine("listening on (\\d+)", Duration.ofSeconds(90)).group(1));
            PoolsApi api = new PoolsApi(d, app.pid());
            api.awaitInstrumented(Duration.ofSeconds(60));
            JsonNode idle = api.awaitPool(TOMCAT_POOL, "60s", Duration.ofSeconds(60), p -> true);
            assertThat(idle.path("kind").asText()).isEqualTo("TomcatThreadPoolExecutor");
            assertThat(idle.path("saturated").asBoolean()).isFalse();

            var requests = slowRequests(port, 12, 15_000);
            JsonNode busy = api.awaitPool(TOMCAT_POOL, "60s", Duration.ofSeconds(60),
                    p -> p.path("saturated").asBoolean());
            assertThat(busy.path("max").asInt()).isEqualTo(4);
            assertThat(busy.path("active").asInt()).isEqualTo(4);
            assertThat(busy.path("queueDepth").asInt()).isGreaterThanOrEqualTo(4);
            assertThat(busy.path("reason").asText()).contains("all 4 workers busy");
            assertThat(busy.path("samplesWait").asLong()).isPositive(); // Tomcat's execute is instrumented too
            assertThat(api.suppressedErrors()).isZero();
            requests.forEach(r -> r.cancel(true));
        }
    }

    @Test
    void javalinJettyUnderMoreSlowRequestsThanThreadsShowsItsRequestPoolSaturated() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(PoolsApi.childClasspath(), JavalinServerApp.class.getName())
                     .agent("dashboard=" + d.agentUrl() + ",name=javalin").start()) {
            int port = Integer.parseInt(app.awaitLine("listening on (\\d+)", Duration.ofSeconds(90)).group(1));
            PoolsApi api = new PoolsApi(d, app.pid());
            JsonNode idle = api.awaitPool("api-qtp", "60s", Duration.ofSeconds(60), p -> true);
            assertThat(idle.path("kind").asText()).isEqualTo("JettyQueuedThreadPool");
            assertThat(idle.path("max").asInt()).isEqualTo(8);
            assertThat(idle.path("saturated").asBoolean()).isFalse();

            var requests = slowRequests(port, 20, 15_000);
            JsonNode busy = api.awaitPool("api-qtp", "60s", Duration.ofSeconds(60), p -> p.path("saturated").asBoolean());
            assertThat(busy.path("active").asInt()).isEqualTo(8);
            assertThat(busy.path("queueDepth").asInt()).isPositive();
            assertThat(busy.path("reason").asText()).contains("all 8 workers busy");
            assertThat(api.suppressedErrors()).isZero();
            requests.forEach(r -> r.cancel(true));
        }
    }
}
