package dev.lockscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.DashboardApp;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.dashboard.jvms.Json;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.StreamSupport;

/** A real dashboard (Javalin on an ephemeral loopback port) for a test, with a small JSON client. */
public final class RunningDashboard implements AutoCloseable {
    private final DashboardConfig config;
    private Javalin app;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningDashboard(DashboardConfig config) {
        this.config = config;
    }

    public static RunningDashboard start() {
        return start(DashboardConfig.defaults().withPort(0));
    }

    public static RunningDashboard start(DashboardConfig config) {
        RunningDashboard d = new RunningDashboard(config);
        d.app = DashboardApp.create(config).start(config.host(), config.port());
        d.port = d.app.port();
        return d;
    }

    /** Stops the server (agents see it go away). */
    public void stop() {
        app.stop();
    }

    /** Starts a fresh dashboard (empty state) on the same port, as a restarted process would. */
    public void restart() {
        app = DashboardApp.create(config.withPort(port)).start(config.host(), port);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The agent option value that points at this dashboard. */
    public String agentUrl() {
        return "ws://127.0.0.1:" + port + "/agent";
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> getRaw(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)));
    }

    /** GET returning the body as bytes (downloads such as .jfr files). */
    public HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** GET returning JSON; fails on a non-200 status with the body in the message. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = getRaw(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return Json.MAPPER.readTree(r.body());
    }

    /** POST with a JSON body; returns the raw response (tests check the status themselves). */
    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** The entry of {@code GET /api/jvms} whose pid matches, or null. */
    public JsonNode jvmByPid(long pid) throws IOException, InterruptedException {
        return StreamSupport.stream(get("/api/jvms").spliterator(), false)
                .filter(j -> j.path("pid").asLong() == pid).findFirst().orElse(null);
    }

    @Override
    public void close() {
        app.stop();
    }
}
