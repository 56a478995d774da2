package dev.lockscope.dashboard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Fuzz;
import dev.lockscope.it.programs.PacedWorkload;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real agent (in a paced child JVM) connected to a test WebSocket server that plays the dashboard and sends
 * it random and mutated requests: unknown commands (including ones that would run code, read files or dump the
 * heap, which the agent has none of), known commands with random arguments, and frames that are not JSON.
 * Every request with an id gets exactly one answer, a refusal carries its reason, the app never notices, and
 * afterwards the agent still answers a well-formed thread dump correctly.
 */
class AgentCommandFuzzEndToEndTest {
    private static final int REQUESTS = 150;
    private static final List<String> COMMANDS = List.of("threaddump", "profile.start", "profile.stop", "profile.status",
            "profile.fetch", "profile.discard");
    /** What a hostile dashboard might try: the agent must know none of these. */
    private static final List<String> FORBIDDEN = List.of("heapdump", "dumpHeap", "GC.heap_dump", "exec", "eval",
            "jcmd", "file.read", "readFile", "loadAgent", "System.exit");
    private static final List<String> ARG_KEYS = List.of("format", "lockedSynchronizers", "event", "durationMs",
            "intervalMs", "thresholdMs", "allocBytes", "threads", "byThread", "id", "offset");

    @Test
    void everyRequestIsAnsweredOnceWithAResultOrAReasonAndTheAgentStaysCorrect() throws Exception {
        Fuzz fuzz = Fuzz.seeded("agent commands");
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        CompletableFuture<WsContext> agentSocket = new CompletableFuture<>();
        Javalin peer = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.ws("/agent", ws -> ws.onMessage(ctx -> {
                JsonNode msg = Json.MAPPER.readTree(ctx.message());
                if ("hello".equals(msg.path("type").asText())) {
                    ctx.send("{\"type\":\"ack\",\"jvmId\":" + msg.at("/identity/jvmId") + ",\"protocol\":1}");
                    agentSocket.complete(ctx);
                } else if ("response".equals(msg.path("type").asText())) {
                    inbox.add(ctx.message());
                }
            }));
        }).start("127.0.0.1", 0);
        try (ChildJvm app = ChildJvm.main(System.getProperty("java.class.path"), PacedWorkload.class.getName())
                .agent("dashboard=ws://127.0.0.1:" + peer.port() + "/agent,name=fuzzed-agent").start()) {
            WsContext agent = agentSocket.get(30, TimeUnit.SECONDS);
            app.awaitLine("ops=", Duration.ofSeconds(10));
            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            int unanswerable = 0;
            for (int i = 0; i < REQUESTS; i++) {
                String id = "f" + i;
                boolean forbidden = fuzz.chance(0.15);
                String command = forbidden ? fuzz.oneOf(FORBIDDEN) : fuzz.chance(0.9) ? fuzz.oneOf(COMMANDS) : Fuzz.encodable(fuzz.text(20));
                ObjectNode request = Json.MAPPER.createObjectNode().put("type", "request").put("id", id).put("command", command);
                ObjectNode args = request.putObject("args");
                for (int k = fuzz.nextInt(5); k > 0; k--) {
                    putRandom(fuzz, args, fuzz.oneOf(ARG_KEYS));
                }
                if (fuzz.chance(0.1)) {
                    // Not JSON, or no id to answer to: the agent drops it without a word.
                    agent.send(Fuzz.encodable(fuzz.mutate("{\"type\":\"request\",\"command\":\"" + command + "\"")));
                    unanswerable++;
                    continue;
                }
                agent.send(request.toString());
                String answer = inbox.poll(30, TimeUnit.SECONDS);
                assertThat(answer).as("seed %d: answer to %s", fuzz.seed(), request).isNotNull();
                JsonNode r = Json.MAPPER.readTree(answer);
                assertThat(r.path("id").asText()).as("seed %d: %s", fuzz.seed(), answer).isEqualTo(id);
                assertThat(r.path("ok").isBoolean()).isTrue();
                if (!r.path("ok").asBoolean()) {
                    assertThat(r.path("error").asText()).as("seed %d: %s -> %s", fuzz.seed(), request, answer).isNotBlank();
                }
                if (forbidden || !COMMANDS.contains(command)) {
                    assertThat(r.path("error").asText()).isEqualTo("unknown command '" + command + "'");
                }
                outcomes.merge(command.length() > 20 ? "other" : (COMMANDS.contains(command) ? command : "unknown")
                        + (r.path("ok").asBoolean() ? " ok" : " refused"), 1, Integer::sum);
            }
            assertThat(inbox.poll(1, TimeUnit.SECONDS)).as("answers nobody asked for").isNull();
            System.out.println("agent commands: " + REQUESTS + " fuzzed requests (" + unanswerable
                    + " without an id or not JSON, dropped): " + new java.util.TreeMap<>(outcomes));

            agent.send("{\"type\":\"request\",\"id\":\"final\",\"command\":\"threaddump\",\"args\":{\"format\":\"json\"}}");
            JsonNode dump = Json.MAPPER.readTree(inbox.poll(30, TimeUnit.SECONDS));
            assertThat(dump.path("ok").asBoolean()).as(dump.toString()).isTrue();
            assertThat(dump.toString()).contains("\"paced-0\"").contains("PacedWorkload");
            assertThat(app.isAlive()).isTrue();
            List<String> out = app.stdout();
            assertThat(out.get(out.size() - 1)).as("the app's last report").matches("ops=[1-9][0-9]*");
        } finally {
            peer.stop();
        }
    }

    private static void putRandom(Fuzz fuzz, ObjectNode args, String key) {
        switch (fuzz.nextInt(9)) {
            case 0 -> args.put(key, fuzz.random().nextLong());
            case 1 -> args.put(key, -1 - fuzz.nextInt(1000));
            case 2 -> args.put(key, fuzz.nextInt(5000));
            case 3 -> args.put(key, fuzz.random().nextDouble() * 1e12);
            case 4 -> args.put(key, fuzz.random().nextBoolean());
            case 5 -> args.putNull(key);
            case 6 -> args.putObject(key).put("nested", Fuzz.encodable(fuzz.text(10)));
            case 7 -> args.putArray(key).add(1).add("x");
            default -> args.put(key, Fuzz.encodable(fuzz.chance(0.5)
                    ? fuzz.oneOf(List.of("cpu", "wall", "lock", "alloc", "json", "text", "both", "collapsed", "jfr", "html"))
                    : fuzz.text(30)));
        }
    }
}
