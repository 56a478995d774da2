package dev.lockscope.bench;

import dev.lockscope.protocol.JsonReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real dashboard ({@code lockscope-dashboard.jar}) in its own process, with the few API calls the harness needs. */
public final class DashboardProcess implements AutoCloseable {
    private static final int MAX_JSON = 64 * 1024 * 1024;
    private final Child child;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DashboardProcess(Child child, int port) {
        this.child = child;
        this.port = port;
    }

    /**
     * Starts the dashboard pinned to {@code cpus} with extra JVM args and dashboard flags, its log (stderr) going to
     * {@code log}; returns once it answers.
     */
    public static DashboardProcess start(Path jar, String cpus, List<String> jvmArgs, List<String> flags, Path log)
            throws IOException, InterruptedException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException("dashboard jar not found: " + jar + " (build it with mvn package)");
        }
        int port = Child.freePort();
        List<String> args = new ArrayList<>(jvmArgs);
        args.addAll(List.of("-jar", jar.toString(), "--port", Integer.toString(port)));
        args.addAll(flags);
        DashboardProcess d = new DashboardProcess(Child.java(cpus, args, log), port);
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                d.get("/api/jvms");
                return d;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    d.close();
                    throw new IllegalStateException("dashboard did not start within 60 s", e);
                }
                Thread.sleep(200);
            }
        }
    }

    public String agentUrl() {
        return "ws://127.0.0.1:" + port + "/agent";
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return child.pid();
    }

    public Object get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)));
    }

    public Object post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Object send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(r.request().method() + " " + r.uri() + " -> " + r.statusCode() + ": " + r.body());
        }
        return JsonReader.parse(r.body(), MAX_JSON);
    }

    /** The dashboard's id of the connected JVM with this pid, waiting up to {@code timeoutMs} for it to connect. */
    @SuppressWarnings("unchecked")
    public String awaitJvm(long pid, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            for (Object o : (List<Object>) get("/api/jvms")) {
                Map<String, Object> j = (Map<String, Object>) o;
                if (((Number) j.get("pid")).longValue() == pid && Boolean.TRUE.equals(j.get("connected"))) {
                    return (String) j.get("id");
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("JVM " + pid + " did not connect to the dashboard within " + timeoutMs + " ms");
    }

    @Override
    public void close() {
        child.close();
    }
}
