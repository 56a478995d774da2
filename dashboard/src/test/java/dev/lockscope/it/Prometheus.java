package dev.lockscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server (Debian's {@code /usr/bin/prometheus}) for a test: its own temporary config and data
 * directory, a free loopback port, a 1 s scrape of one target. Never the system service. Killed on close.
 */
public final class Prometheus implements AutoCloseable {
    public static final Path BINARY = Paths.get("/usr/bin/prometheus");

    private final Process process;
    private final Path dir;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Prometheus(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts Prometheus scraping {@code target} ({@code host:port}) at {@code /metrics}, with a bearer token if not null. */
    public static Prometheus scraping(String target, String bearerToken) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("Prometheus is not installed: apt-get install -y prometheus");
        }
        Path dir = Files.createTempDirectory("lockscope-prometheus");
        String auth = bearerToken == null ? "" : "    authorization:\n      credentials: '" + bearerToken + "'\n";
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: lockscope
                    metrics_path: /metrics
                    scrape_interval: 1s
                %s    static_configs:
                      - targets: ['%s']
                """.formatted(auth, target));
        int port = freePort();
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        return new Prometheus(p, dir, port);
    }

    /** Runs an instant PromQL query over the HTTP API; returns {@code data.result} (an array), or null before it is ready. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null; // not listening yet
        }
        if (r.statusCode() != 200) {
            return null;
        }
        JsonNode body = Json.MAPPER.readTree(r.body());
        return "success".equals(body.path("status").asText()) ? body.path("data").path("result") : null;
    }

    /** The value of the single series {@code promql} returns, or NaN when it returns none. */
    public double value(String promql) throws IOException, InterruptedException {
        JsonNode result = query(promql);
        if (result == null || result.size() == 0) {
            return Double.NaN;
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** Prometheus's own log (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
