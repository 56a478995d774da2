package dev.lockscope.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.agents.RawAgentSocket;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Fuzz;
import dev.lockscope.it.RunningDashboard;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random methods, paths, parameters and bodies against the real dashboard's HTTP API, with a connected JVM
 * (a raw protocol peer that refuses every request it is sent) so routes reach their handlers. No request may
 * fail the server (500) or go unanswered, every API error is JSON with a reason, and afterwards the API still
 * serves that JVM's data unchanged.
 */
class HttpApiFuzzTest {
    private static final int REQUESTS = 250;
    private static final String JVM = "fuzz-http:7:1";
    private static final List<String> ROUTES = List.of(
            "/api/jvms", "/api/jvms/{id}", "/api/jvms/{id}/deadlocks", "/api/jvms/{id}/events",
            "/api/jvms/{id}/findings", "/api/jvms/{id}/locks", "/api/jvms/{id}/locks/detail", "/api/jvms/{id}/pools",
            "/api/jvms/{id}/profiles", "/api/jvms/{id}/samples", "/api/jvms/{id}/threaddump", "/api/jvms/{id}/threaddumps",
            "/api/jvms/{id}/waits", "/api/jvms/{id}/detach", "/api/profiles", "/api/profiles/{x}", "/api/profiles/{x}/diff/{x}",
            "/api/profiles/{x}/diff/{x}/html", "/api/profiles/{x}/collapsed", "/api/profiles/{x}/html",
            "/api/profiles/{x}/jfr", "/api/profiles/{x}/stop", "/api/session", "/api/login",
            "/api/threaddumps/{x}/compare/{x}", "/api/threaddumps/{x}", "/", "/index.html", "/js/app.js", "/style.css");
    private static final List<String> PARAMS = List.of("window", "format", "kind", "lock", "download", "lockedSynchronizers",
            "since", "from", "to", "limit");
    private static final List<String> METHODS = List.of("GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private static final List<String> BODIES = List.of(
            "{\"event\":\"cpu\",\"duration\":30}", "{\"lockedSynchronizers\":true}", "{\"token\":\"x\"}",
            "{\"event\":\"wall\",\"duration\":0,\"threads\":\"pool\",\"interval\":5,\"threshold\":1}");

    @Test
    void noRequestFailsTheServerOrGoesUnansweredAndEveryApiErrorIsJsonWithAReason() throws Exception {
        Fuzz fuzz = Fuzz.seeded("HTTP API");
        try (RunningDashboard d = RunningDashboard.start();
             RawAgentSocket agent = new RawAgentSocket(d.agentUrl())) {
            agent.send(RawAgentSocket.hello(JVM, 7, "fuzz-target"));
            assertThat(agent.next()).contains("\"type\":\"ack\"");
            agent.send("{\"type\":\"sample\",\"seq\":1,\"ts\":" + System.currentTimeMillis()
                    + ",\"body\":{\"vitals\":{\"threads\":{\"RUNNABLE\":4}}}}");
            Thread refuser = refuseEveryRequest(agent);
            Map<Integer, Integer> statuses = new TreeMap<>();
            try {
                for (int i = 0; i < REQUESTS; i++) {
                    String method = fuzz.oneOf(METHODS);
                    String path = path(fuzz);
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path));
                    String body = fuzz.chance(0.5) ? fuzz.mutate(fuzz.oneOf(BODIES)) : fuzz.text(200);
                    String type = fuzz.chance(0.85) ? "application/json" : fuzz.oneOf(List.of("text/plain", "application/x-www-form-urlencoded"));
                    b.header("Content-Type", type).method(method, "GET".equals(method) || "HEAD".equals(method)
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Fuzz.encodable(body)));
                    HttpResponse<String> r;
                    try {
                        r = sendOnce(d, b);
                    } catch (java.net.http.HttpTimeoutException e) {
                        throw new AssertionError("seed " + fuzz.seed() + ": no answer within 60 s to " + method + " " + path);
                    } catch (java.io.IOException e) {
                        throw new AssertionError("seed " + fuzz.seed() + ": " + method + " " + path + " (" + type + ", "
                                + body.length() + " chars) -> " + e, e);
                    }
                    statuses.merge(r.statusCode(), 1, Integer::sum);
                    // 502: the JVM refused the request (as this peer always does); never 500, the server's own failure
                    assertThat(r.statusCode() < 500 || r.statusCode() == 502)
                            .as("seed %d: %s %s -> %d %s", fuzz.seed(), method, path, r.statusCode(), r.body()).isTrue();
                    if (path.startsWith("/api/") && r.statusCode() >= 400 && !"HEAD".equals(method)) {
                        JsonNode error;
                        try {
                            error = Json.MAPPER.readTree(r.body());
                        } catch (Exception e) {
                            throw new AssertionError("seed " + fuzz.seed() + ": " + method + " " + path + " -> "
                                    + r.statusCode() + " with a body that is not JSON: " + r.body());
                        }
                        assertThat(error.path("error").asText()).as("seed %d: %s %s -> %s", fuzz.seed(), method, path, r.body())
                                .isNotBlank();
                    }
                }
            } finally {
                refuser.interrupt();
            }
            System.out.println("HTTP API: " + REQUESTS + " fuzzed requests, statuses " + statuses);

            JsonNode jvm = d.get("/api/jvms/" + JVM);
            assertThat(jvm.path("connected").asBoolean()).isTrue();
            assertThat(jvm.path("name").asText()).isEqualTo("fuzz-target");
            assertThat(jvm.at("/sample/vitals/threads/RUNNABLE").asInt()).isEqualTo(4);
        }
    }

    /**
     * Sends the request; retries once when a pooled connection turns out closed (Jetty closes the connection
     * after refusing a malformed request, and the JDK client may already have picked it for the next one).
     */
    private static HttpResponse<String> sendOnce(RunningDashboard d, HttpRequest.Builder b) throws Exception {
        try {
            return d.send(b);
        } catch (java.io.IOException e) {
            if (String.valueOf(e.getMessage()).contains("received no bytes")) {
                return d.send(b);
            }
            throw e;
        }
    }

    /** A known route with its parameters and query filled from the fuzzer, sometimes mangled further. */
    private static String path(Fuzz fuzz) {
        String p = fuzz.oneOf(ROUTES);
        p = p.replace("{id}", fuzz.chance(0.7) ? JVM : segment(fuzz));
        while (p.contains("{x}")) {
            p = p.replaceFirst("\\{x}", segment(fuzz));
        }
        if (fuzz.chance(0.2)) {
            p = p + "/" + segment(fuzz);
        }
        StringBuilder q = new StringBuilder();
        for (int i = fuzz.nextInt(4); i > 0; i--) {
            q.append(q.length() == 0 ? '?' : '&').append(fuzz.oneOf(PARAMS)).append('=')
                    .append(URLEncoder.encode(Fuzz.encodable(fuzz.chance(0.3) ? fuzz.oneOf(List.of("10s", "60s", "10m", "text", "true")) : fuzz.text(30)),
                            StandardCharsets.UTF_8));
        }
        return p + q;
    }

    private static String segment(Fuzz fuzz) {
        String raw = fuzz.chance(0.2) ? fuzz.oneOf(List.of("..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "prof-1-x", "0", "-1"))
                : URLEncoder.encode(Fuzz.encodable(fuzz.text(40)), StandardCharsets.UTF_8);
        return raw.isEmpty() ? "x" : raw;
    }

    /** Answers every request the dashboard sends to the raw JVM with a refusal, as an agent that cannot help. */
    private static Thread refuseEveryRequest(RawAgentSocket agent) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    String m = agent.received.take();
                    JsonNode msg = Json.MAPPER.readTree(m);
                    if ("request".equals(msg.path("type").asText())) {
                        agent.send("{\"type\":\"response\",\"id\":" + Json.MAPPER.writeValueAsString(msg.path("id").asText())
                                + ",\"ok\":false,\"error\":\"refused by the fuzz peer\"}");
                    }
                }
            } catch (Exception e) {
                // interrupted at the end of the test
            }
        }, "fuzz-refuser");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
