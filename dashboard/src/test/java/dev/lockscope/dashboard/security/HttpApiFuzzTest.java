package dev.lockscope.dashboard.security;

import static dev.lockscope.it.Fuzzing.checking;
import static dev.lockscope.it.Fuzzing.encodable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.agents.RawAgentSocket;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Fuzzing;
import dev.lockscope.it.RunningDashboard;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

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

    /** One request as the fuzzer made it: prints as what was sent, which is what a failure report shows. */
    record ApiRequest(String method, String path, String contentType, Fuzzing.Input body) {
        HttpRequest.Builder builder(String base) {
            boolean bodyless = "GET".equals(method) || "HEAD".equals(method);
            return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType).method(method,
                    bodyless ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(encodable(body.text())));
        }

        @Override
        public String toString() {
            return method + " " + path + " (" + contentType + ") " + body;
        }
    }

    @Test
    void noRequestFailsTheServerOrGoesUnansweredAndEveryApiErrorIsJsonWithAReason() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             RawAgentSocket agent = new RawAgentSocket(d.agentUrl())) {
            agent.send(RawAgentSocket.hello(JVM, 7, "fuzz-target"));
            assertThat(agent.next()).contains("\"type\":\"ack\"");
            agent.send("{\"type\":\"sample\",\"seq\":1,\"ts\":" + System.currentTimeMillis()
                    + ",\"body\":{\"vitals\":{\"threads\":{\"RUNNABLE\":4}}}}");
            Thread refuser = refuseEveryRequest(agent);
            Map<Integer, Integer> statuses = new TreeMap<>();
            AtomicInteger sent = new AtomicInteger();
            Gen<ApiRequest> requests = Generate.pick(METHODS).zip(paths(),
                    Generate.frequency(List.of(Pair.of(85, Generate.constant("application/json")),
                            Pair.of(15, Generate.pick(List.of("text/plain", "application/x-www-form-urlencoded"))))),
                    Fuzzing.mutatedOrRandom(Generate.pick(BODIES), 50, 200), ApiRequest::new);
            try {
                Fuzzing.theory("HTTP API", REQUESTS, 200).forAll(requests).checkAssert(checking(request -> {
                    sent.incrementAndGet();
                    HttpResponse<String> r;
                    try {
                        r = sendOnce(d, request.builder(d.url()));
                    } catch (java.net.http.HttpTimeoutException e) {
                        throw new AssertionError("no answer within 60 s to " + request);
                    }
                    statuses.merge(r.statusCode(), 1, Integer::sum);
                    // 502: the JVM refused the request (as this peer always does); never 500, the server's own failure
                    assertThat(r.statusCode() < 500 || r.statusCode() == 502)
                            .as("%s -> %d %s", request, r.statusCode(), r.body()).isTrue();
                    if (request.path().startsWith("/api/") && r.statusCode() >= 400 && !"HEAD".equals(request.method())) {
                        JsonNode error;
                        try {
                            error = Json.MAPPER.readTree(r.body());
                        } catch (Exception e) {
                            throw new AssertionError(request + " -> " + r.statusCode() + " with a body that is not JSON: " + r.body());
                        }
                        assertThat(error.path("error").asText()).as("%s -> %s", request, r.body()).isNotBlank();
                    }
                }));
            } finally {
                refuser.interrupt();
            }
            System.out.println("HTTP API: " + sent.get() + " fuzzed requests, statuses " + statuses);

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
    private static Gen<String> paths() {
        Gen<String> id = Generate.frequency(List.of(Pair.of(7, Generate.constant(JVM)), Pair.of(3, segments())));
        Gen<String> extra = Generate.frequency(List.of(Pair.of(8, Generate.constant("")), Pair.of(2, segments().map(s -> "/" + s))));
        Gen<String> value = Generate.frequency(List.of(Pair.of(3, Generate.pick(List.of("10s", "60s", "10m", "text", "true"))),
                Pair.of(7, Fuzzing.text(30))));
        Gen<String> query = lists().of(Generate.pick(PARAMS).zip(value,
                        (name, v) -> name + "=" + URLEncoder.encode(encodable(v), StandardCharsets.UTF_8)))
                .ofSizeBetween(0, 3).map(params -> params.isEmpty() ? "" : "?" + String.join("&", params));
        return Generate.pick(ROUTES).zip(id, lists().of(segments()).ofSize(2), extra.zip(query, String::concat), (route, i, xs, tail) -> {
            String p = route.replace("{id}", i);
            for (String x : xs) {
                p = p.replaceFirst("\\{x}", java.util.regex.Matcher.quoteReplacement(x));
            }
            return p + tail;
        });
    }

    private static Gen<String> segments() {
        return Generate.frequency(List.of(
                Pair.of(2, Generate.pick(List.of("..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "prof-1-x", "0", "-1"))),
                Pair.of(8, Fuzzing.text(40).map(t -> {
                    String raw = URLEncoder.encode(encodable(t), StandardCharsets.UTF_8);
                    return raw.isEmpty() ? "x" : raw;
                }))));
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
