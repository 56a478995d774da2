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
 * Valid requests to the routes of the real dashboard's HTTP API, each part kept or broken (random methods,
 * path segments, parameters, mutated or random bodies), with a connected JVM (a raw protocol peer that refuses every request it is sent) so routes reach their handlers. No request may
 * fail the server (500) or go unanswered, every API error is JSON with a reason, and afterwards the API still
 * serves that JVM's data unchanged.
 */
class HttpApiFuzzTest {
    private static final int REQUESTS = 250;
    private static final String JVM = "fuzz-http:7:1";
    /**
     * A valid request per route of the README's API table ({@code {id}}: a JVM, {@code {x}}: a capture), and the
     * static files. Left out: the SSE streams (they never end) and {@code POST /api/local-jvms/{pid}/attach}
     * (on loopback it would load the agent into whatever JVM of this machine a fuzzed pid names).
     */
    private static final List<ValidRequest> VALID = List.of(
            get("/api/jvms", ""), get("/api/jvms/{id}", ""), get("/api/jvms/{id}/samples", "?window=60s"),
            get("/api/jvms/{id}/events", "?kind=deadlock"), get("/api/session", ""),
            post("/api/login", "{\"token\":\"x\"}"), get("/api/jvms/{id}/findings", ""),
            get("/api/jvms/{id}/locks", "?window=60s"),
            get("/api/jvms/{id}/locks/detail", "?lock=java.lang.Object%401b6d3586&window=60s"),
            get("/api/jvms/{id}/pools", "?window=10m"), post("/api/jvms/{id}/threaddump", "{\"lockedSynchronizers\":false}"),
            get("/api/jvms/{id}/threaddump", "?format=text"),
            get("/api/jvms/{id}/threaddumps", "?from=1700000000000&to=1700000060000"),
            get("/api/threaddumps/{x}", "?format=text&download=true"), get("/api/threaddumps/{x}/compare/{x}", ""),
            get("/api/jvms/{id}/deadlocks", ""), get("/api/jvms/{id}/waits", "?window=60s"),
            post("/api/jvms/{id}/profiles", "{\"event\":\"cpu\",\"duration\":30}"),
            post("/api/jvms/{id}/profiles", "{\"event\":\"wall\",\"duration\":10,\"threads\":\"pool\",\"interval\":5,\"threshold\":1}"),
            get("/api/jvms/{id}/profiles", ""), get("/api/profiles", ""), get("/api/profiles/{x}", ""),
            get("/api/profiles/{x}/collapsed", ""), get("/api/profiles/{x}/html", ""), get("/api/profiles/{x}/jfr", ""),
            get("/api/profiles/{x}/diff/{x}", ""), get("/api/profiles/{x}/diff/{x}/html", ""),
            post("/api/profiles/{x}/stop", ""), get("/api/jvms/{id}/recording", ""),
            get("/api/jvms/{id}/recording/flamegraph", "?event=cpu&from=1700000000000&to=1700000060000"),
            get("/api/jvms/{id}/recording/collapsed", "?event=lock&from=1700000000000&to=1700000060000"),
            post("/api/jvms/{id}/snapshots", "{\"from\":1700000000000,\"to\":1700000060000,\"finding\":\"f-1\"}"),
            post("/api/jvms/{id}/snapshots", "{\"at\":1700000030000,\"seconds\":60}"), get("/api/jvms/{id}/snapshots", ""), get("/api/snapshots/{x}/jfr", ""), post("/api/jvms/{id}/detach", "{}"),
            post("/api/jvms/{id}/features", "{\"locks\":false,\"jfr\":true}"),
            post("/api/archives", "{\"name\":\"incident.zip\",\"data\":\"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\"}"),
            post("/api/imports", "{\"files\":[{\"name\":\"dump.txt\",\"data\":\"Im1haW4iICMxIHByaW89NSBvc19wcmlvPTAgdGlkPTB4MSBuaWQ9MHgyIHJ1bm5hYmxlCiAgIGphdmEubGFuZy5UaHJlYWQuU3RhdGU6IFJVTk5BQkxFCglhdCBhLkIuYyhCLmphdmE6MSkK\"}]}"),
            get("/api/attach", ""), get("/metrics", ""), get("/", ""), get("/index.html", ""), get("/js/app.js", ""),
            get("/style.css", ""));
    private static final List<String> CAPTURE_IDS = List.of("prof-1-x", "td-1", "snap-1", "0", "-1");
    private static final List<String> PARAMS = List.of("window", "format", "kind", "lock", "download", "lockedSynchronizers",
            "since", "from", "to", "limit", "event");
    private static final List<String> METHODS = List.of("GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    record ValidRequest(String method, String route, String query, String body) {
    }

    private static ValidRequest get(String route, String query) {
        return new ValidRequest("GET", route, query, "");
    }

    private static ValidRequest post(String route, String body) {
        return new ValidRequest("POST", route, "", body);
    }

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
            try {
                Fuzzing.theory("HTTP API", REQUESTS, 200).forAll(requests()).checkAssert(checking(request -> {
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

    /**
     * A valid request with each part kept or broken: the method (15 % another), the path's ids (30 % of JVM ids
     * and half the capture ids random segments, 20 % an extra segment), the query (half the time random known
     * parameters with random values), the content type (15 % not JSON) and the body (a quarter valid, half a
     * mutant of the valid one, a quarter random text).
     */
    private static Gen<ApiRequest> requests() {
        return Generate.pick(VALID).flatMap(v -> {
            Gen<String> method = Generate.frequency(List.of(Pair.of(85, Generate.constant(v.method())),
                    Pair.of(15, Generate.pick(METHODS))));
            Gen<String> type = Generate.frequency(List.of(Pair.of(85, Generate.constant("application/json")),
                    Pair.of(15, Generate.pick(List.of("text/plain", "application/x-www-form-urlencoded")))));
            Gen<Fuzzing.Input> body = Generate.frequency(List.of(
                    Pair.of(25, Generate.constant(new Fuzzing.Input(v.body(), List.of()))),
                    Pair.of(50, Fuzzing.mutants(Generate.constant(v.body()))),
                    Pair.of(25, Fuzzing.text(200).map(t -> new Fuzzing.Input(t, List.of())))));
            return method.zip(path(v), type, body, ApiRequest::new);
        });
    }

    private static Gen<String> path(ValidRequest v) {
        Gen<String> id = Generate.frequency(List.of(Pair.of(7, Generate.constant(JVM)), Pair.of(3, segments())));
        Gen<String> x = Generate.frequency(List.of(Pair.of(1, Generate.pick(CAPTURE_IDS)), Pair.of(1, segments())));
        Gen<String> extra = Generate.frequency(List.of(Pair.of(8, Generate.constant("")), Pair.of(2, segments().map(s -> "/" + s))));
        Gen<String> value = Generate.frequency(List.of(Pair.of(3, Generate.pick(List.of("10s", "60s", "10m", "text", "true", "cpu"))),
                Pair.of(7, Fuzzing.text(30))));
        Gen<String> randomQuery = lists().of(Generate.pick(PARAMS).zip(value,
                        (name, val) -> name + "=" + URLEncoder.encode(encodable(val), StandardCharsets.UTF_8)))
                .ofSizeBetween(0, 3).map(params -> params.isEmpty() ? "" : "?" + String.join("&", params));
        Gen<String> query = Generate.frequency(List.of(Pair.of(1, Generate.constant(v.query())), Pair.of(1, randomQuery)));
        return id.zip(lists().of(x).ofSize(2), extra, query, (i, xs, e, q) -> {
            String p = v.route().replace("{id}", i);
            for (String xi : xs) {
                p = p.replaceFirst("\\{x}", java.util.regex.Matcher.quoteReplacement(xi));
            }
            return p + e + q;
        });
    }

    private static Gen<String> segments() {
        return Generate.frequency(List.of(
                Pair.of(2, Generate.pick(List.of("..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%00", "0", "-1"))),
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
