package dev.lockscope.dashboard.agents;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A hand-driven WebSocket client speaking (or deliberately not speaking) the agent protocol. */
public final class RawAgentSocket implements AutoCloseable {
    public final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    final WebSocket ws;

    public RawAgentSocket(String url, String... headers) throws Exception {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        ws = b.buildAsync(URI.create(url), new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    received.add(partial.toString());
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                closedWith.complete(status);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closedWith.complete(-1);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    public void send(String text) throws Exception {
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    public String next() throws InterruptedException {
        String m = received.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message from the dashboard within 10 s");
        }
        return m;
    }

    /** A valid hello; {@code jvmId} and {@code name} may hold any text (they are escaped). */
    public static String hello(String jvmId, long pid, String name) {
        ObjectNode hello = Json.MAPPER.createObjectNode().put("type", "hello").put("protocol", 1);
        hello.putObject("identity").put("jvmId", jvmId).put("pid", pid).put("name", name).put("startTime", 1);
        hello.putArray("features");
        return hello.toString();
    }

    @Override
    public void close() {
        ws.abort();
    }
}
