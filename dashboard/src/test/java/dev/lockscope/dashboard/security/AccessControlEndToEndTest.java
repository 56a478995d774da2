package dev.lockscope.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Host, Origin, content-type and token rules, on a real server. */
class AccessControlEndToEndTest {

    @Test
    void aForeignHostHeaderIsRefusedEvenOnLoopback() throws Exception {
        try (RunningDashboard d = RunningDashboard.start()) {
            String ok = RawHttp.exchange(d.port(), "GET /api/jvms HTTP/1.1\r\nHost: 127.0.0.1:" + d.port() + "\r\n");
            assertThat(RawHttp.status(ok)).isEqualTo(200);
            String rebound = RawHttp.exchange(d.port(), "GET /api/jvms HTTP/1.1\r\nHost: attacker.example:" + d.port() + "\r\n");
            assertThat(RawHttp.status(rebound)).isEqualTo(403);
            assertThat(rebound).contains("not this dashboard");
        }
    }

    @Test
    void aForeignOriginIsRefusedForReadsAndWrites() throws Exception {
        try (RunningDashboard d = RunningDashboard.start()) {
            HttpResponse<String> read = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/jvms"))
                    .header("Origin", "http://attacker.example"));
            assertThat(read.statusCode()).isEqualTo(403);
            HttpResponse<String> write = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/login"))
                    .header("Origin", "http://attacker.example").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));
            assertThat(write.statusCode()).isEqualTo(403);
            HttpResponse<String> same = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/jvms"))
                    .header("Origin", d.url()));
            assertThat(same.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aFormPostThatAForeignPageCouldForgeIsRefused() throws Exception {
        try (RunningDashboard d = RunningDashboard.start()) {
            HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=x")));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("Content-Type: application/json");
        }
    }

    @Test
    void everyPageCarriesAStrictContentSecurityPolicy() throws Exception {
        try (RunningDashboard d = RunningDashboard.start()) {
            HttpResponse<String> r = d.getRaw("/");
            assertThat(r.statusCode()).isEqualTo(200);
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline").contains("frame-ancestors 'none'");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
    }

    @Test
    void aBrowserMayNotOpenTheAgentEndpoint() throws Exception {
        try (RunningDashboard d = RunningDashboard.start()) {
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", "http://attacker.example")
                    .buildAsync(URI.create(d.agentUrl()), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                            closed.complete(status);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
            ws.abort();
        }
    }

    @Test
    void withATokenTheApiAndAgentsRequireItAndABrowserSignsInOnce() throws Exception {
        String token = "s3cret-" + System.nanoTime();
        try (RunningDashboard d = RunningDashboard.start(DashboardConfig.defaults().withPort(0).withToken(token))) {
            assertThat(d.getRaw("/api/jvms").statusCode()).isEqualTo(401);
            assertThat(d.getRaw("/").statusCode()).isEqualTo(200); // the page itself holds no data
            assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/jvms"))
                    .header("Authorization", "Bearer " + token)).statusCode()).isEqualTo(200);
            assertThat(d.post("/api/login", "{\"token\":\"wrong\"}").statusCode()).isEqualTo(401);

            HttpResponse<String> login = d.post("/api/login", "{\"token\":\"" + token + "\"}");
            assertThat(login.statusCode()).isEqualTo(200);
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").doesNotContain(token);
            assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/jvms"))
                    .header("Cookie", cookie.split(";")[0])).statusCode()).isEqualTo(200);

            try (ChildJvm without = ChildJvm.sample("saturated-pool", "--duration=30")
                         .agent("dashboard=" + d.agentUrl() + ",name=no-token").start();
                 ChildJvm with = ChildJvm.sample("saturated-pool", "--duration=30")
                         .agent("dashboard=" + d.agentUrl() + ",name=with-token,token=" + token).start()) {
                HttpRequest.Builder list = HttpRequest.newBuilder(URI.create(d.url() + "/api/jvms"))
                        .header("Authorization", "Bearer " + token);
                await().atMost(Duration.ofSeconds(15)).until(() -> d.send(list).body().contains("with-token"));
                Thread.sleep(2000);
                assertThat(d.send(list).body()).doesNotContain("no-token");
                assertThat(without.isAlive()).isTrue();
            }
        }
    }
}
