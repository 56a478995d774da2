package dev.lockscope.dashboard.fuzz;

import static dev.lockscope.it.Fuzzing.checking;
import static dev.lockscope.it.Fuzzing.encodable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Fuzzing;
import dev.lockscope.it.programs.PacedWorkload;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * A real agent (in a paced child JVM) connected to a test WebSocket server that plays the dashboard and sends
 * it random and mutated requests: unknown commands (including ones that would run code, read files or dump the
 * heap, which the agent has none of), known commands with random arguments, and frames that are not JSON.
 * Every request with an id gets exactly one answer, a refusal carries its reason, the app never notices, and
 * afterwards the agent still answers a well-formed thread dump correctly.
 */
class AgentCommandFuzzEndToEndTest {
    private static final int REQUESTS = 150;
    /** The agent's commands (docs/PROTOCOL.md), all but {@code detach}, which ends the agent's link by design. */
    private static final List<String> COMMANDS = List.of("threaddump", "profile.start", "profile.stop", "profile.status",
            "profile.fetch", "profile.discard", "recording.status", "recording.collapsed", "recording.snapshot",
            "recording.fetch", "recording.discard", "features");
    /** What a hostile dashboard might try: the agent must know none of these. */
    private static final List<String> FORBIDDEN = List.of("heapdump", "dumpHeap", "GC.heap_dump", "exec", "eval",
            "jcmd", "file.read", "readFile", "loadAgent", "System.exit");
    private static final List<String> ARG_KEYS = List.of("format", "lockedSynchronizers", "event", "durationMs",
            "intervalMs", "thresholdMs", "allocBytes", "threads", "byThread", "id", "offset", "fromMs", "toMs", "locks",
            "pools", "jfr", "deadlocks");

    /** A request with an id (the agent must answer it), or a frame that is not JSON (it must drop it). */
    sealed interface Sent permits Request, NotJson {
    }

    record Request(String command, List<Pair<String, JsonNode>> args) implements Sent {
        ObjectNode json(String id) {
            ObjectNode request = Json.MAPPER.createObjectNode().put("type", "request").put("id", id).put("command", command);
            ObjectNode a = request.putObject("args");
            args.forEach(p -> a.set(p._1, p._2));
            return request;
        }

        @Override
        public String toString() {
            return json("…").toString();
        }
    }

    record NotJson(Fuzzing.Input frame) implements Sent {
    }

    private static final Gen<JsonNode> ARG_VALUES = Generate.frequency(List.of(
            Pair.of(1, longs().all().map(l -> (JsonNode) LongNode.valueOf(l))),
            Pair.of(1, integers().between(-1000, -1).map(i -> (JsonNode) IntNode.valueOf(i))),
            Pair.of(1, integers().between(0, 4999).map(i -> (JsonNode) IntNode.valueOf(i))),
            Pair.of(1, doubles().between(0, 1e12).map(d -> (JsonNode) DoubleNode.valueOf(d))),
            Pair.of(1, booleans().all().map(b -> (JsonNode) BooleanNode.valueOf(b))),
            Pair.of(1, Generate.constant((JsonNode) NullNode.getInstance())),
            Pair.of(1, Fuzzing.text(10).map(t -> (JsonNode) Json.MAPPER.createObjectNode().put("nested", encodable(t)))),
            Pair.of(1, Generate.constant((JsonNode) Json.MAPPER.createArrayNode().add(1).add("x"))),
            Pair.of(2, Generate.frequency(List.of(
                    Pair.of(1, Generate.pick(List.of("cpu", "wall", "lock", "alloc", "json", "text", "both", "collapsed", "jfr", "html"))),
                    Pair.of(1, Fuzzing.text(30).map(Fuzzing::encodable)))).map(t -> (JsonNode) TextNode.valueOf(t)))));
    private static final Gen<Request> REQUESTS_WITH_ID = Generate.frequency(List.of(
                    Pair.of(15, Generate.pick(FORBIDDEN)),
                    Pair.of(76, Generate.pick(COMMANDS)),
                    Pair.of(9, Fuzzing.text(20).map(Fuzzing::encodable))))
            .zip(lists().of(Generate.pick(ARG_KEYS).zip(ARG_VALUES, Pair::of)).ofSizeBetween(0, 4), Request::new);
    /** A request cut short (no closing brace), then broken further. */
    private static final Gen<NotJson> NOT_JSON = Fuzzing.mutants(Generate.pick(COMMANDS)
            .map(c -> "{\"type\":\"request\",\"command\":\"" + c + "\"")).map(NotJson::new);

    @Test
    void everyRequestIsAnsweredOnceWithAResultOrAReasonAndTheAgentStaysCorrect() throws Exception {
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
            AtomicInteger ids = new AtomicInteger();
            AtomicInteger dropped = new AtomicInteger();
            Gen<Sent> sent = Generate.frequency(List.of(Pair.of(9, REQUESTS_WITH_ID.map(r -> (Sent) r)),
                    Pair.of(1, NOT_JSON.map(n -> (Sent) n))));
            Fuzzing.theory("agent commands", REQUESTS, 100).forAll(sent).checkAssert(checking(example -> {
                if (example instanceof NotJson n) {
                    String frame = encodable(n.frame().text());
                    if (!isJson(frame)) { // (a mutant that became JSON again is not what this case is about)
                        // Not JSON: the agent drops it without a word (the next answer and the final check show it).
                        agent.send(frame);
                        dropped.incrementAndGet();
                    }
                    return;
                }
                Request r = (Request) example;
                String id = "f" + ids.incrementAndGet();
                ObjectNode request = r.json(id);
                agent.send(request.toString());
                String answer = inbox.poll(30, TimeUnit.SECONDS);
                assertThat(answer).as("answer to %s", request).isNotNull();
                JsonNode a = Json.MAPPER.readTree(answer);
                assertThat(a.path("id").asText()).as(answer).isEqualTo(id);
                assertThat(a.path("ok").isBoolean()).isTrue();
                if (!a.path("ok").asBoolean()) {
                    assertThat(a.path("error").asText()).as("%s -> %s", request, answer).isNotBlank();
                }
                if (!COMMANDS.contains(r.command())) {
                    assertThat(a.path("error").asText()).isEqualTo("unknown command '" + r.command() + "'");
                }
                outcomes.merge(r.command().length() > 20 ? "other" : (COMMANDS.contains(r.command()) ? r.command() : "unknown")
                        + (a.path("ok").asBoolean() ? " ok" : " refused"), 1, Integer::sum);
            }));
            assertThat(inbox.poll(1, TimeUnit.SECONDS)).as("answers nobody asked for").isNull();
            System.out.println("agent commands: " + (ids.get() + dropped.get()) + " fuzzed requests (" + dropped.get()
                    + " not JSON, dropped): " + new TreeMap<>(outcomes));

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

    private static boolean isJson(String frame) {
        try {
            Json.MAPPER.readTree(frame);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
