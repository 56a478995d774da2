package dev.lockscope.dashboard.agents;

import static dev.lockscope.it.Fuzzing.checking;
import static dev.lockscope.it.Fuzzing.encodable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Fuzzing;
import dev.lockscope.it.RunningDashboard;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Random and mutated protocol frames over a real WebSocket to a real dashboard. Every frame gets at most one
 * answer, and that answer is a {@code reject} with a reason; every frame that is not a JSON object with a string
 * {@code type} gets exactly one. Afterwards the dashboard still serves, the fuzzing connection is still up, and
 * a well-formed agent connects and its data is stored exactly.
 */
class AgentEndpointFuzzTest {
    private static final int FRAMES = 80;
    private static final int BEFORE_HELLO = 30;
    private static final Gen<String> NAMES = Generate.frequency(List.of(
            Pair.of(3, Generate.pick(List.of("x", "pool-1", "java.lang.Object@1b6d3586", "a.b.C"))),
            Pair.of(1, Fuzzing.text(20).map(Fuzzing::encodable))));
    private static final Gen<String> HELLOS = integers().between(1, 1 << 22).zip(NAMES,
            (pid, name) -> RawAgentSocket.hello("fuzz-host:" + pid + ":1", pid, name));
    private static final Gen<String> SAMPLES = longs().between(0, 1L << 40).zip(integers().between(0, 5000), integers().between(0, 5000),
            (seq, runnable, blocked) -> "{\"type\":\"sample\",\"seq\":" + seq + ",\"ts\":1700000000000,\"body\":{\"vitals\":{\"threads\":"
                    + "{\"RUNNABLE\":" + runnable + ",\"BLOCKED\":" + blocked + "}},\"agent\":{\"droppedMessages\":0}}}");
    private static final Gen<String> EVENTS = Generate.booleans().zip(NAMES, NAMES, longs().between(0, 1L << 40), (deadlock, a, b, ns) -> {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", "event").put("kind", deadlock ? "deadlock" : "lock-wait")
                .put("seq", 8).put("ts", 1700000000000L);
        if (deadlock) {
            e.putObject("body").putArray("cycle").addObject().put("thread", a).put("lock", b);
        } else {
            e.putObject("body").put("name", a).put("waitNs", ns).putArray("stack").add(b + "(C.java:1)");
        }
        return e.toString();
    });
    private static final Gen<String> OTHERS = Generate.pick(List.of(
            "{\"type\":\"response\",\"id\":\"r1\",\"ok\":true,\"body\":{\"threads\":[]}}",
            "{\"type\":\"response\",\"id\":\"r2\",\"ok\":false,\"error\":\"no\"}",
            "{\"type\":\"heartbeat\",\"ts\":1700000000000}"));

    @Test
    void randomAndMutatedFramesAreEachRejectedWithAReasonAndAWellFormedAgentStillConnects() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start()) {
            long heapBefore = usedHeapAfterGc();
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger rejected = new AtomicInteger();
            try (RawAgentSocket agent = new RawAgentSocket(dashboard.agentUrl())) {
                agent.send(RawAgentSocket.hello("fuzz-host:1:1", 1, "fuzzed"));
                assertThat(agent.next()).contains("\"type\":\"ack\"");
                Gen<String> valid = Generate.oneOf(HELLOS, SAMPLES, EVENTS, OTHERS);
                Fuzzing.theory("agent endpoint", FRAMES, 200).forAll(Fuzzing.mutatedOrRandom(valid, 80, 300)).checkAssert(checking(in -> {
                    String frame = encodable(in.text());
                    List<String> answers = exchange(agent, frame, sent.incrementAndGet());
                    assertThat(answers.size()).as("answers to %s", frame).isLessThanOrEqualTo(1);
                    for (String a : answers) {
                        JsonNode reject = Json.MAPPER.readTree(a);
                        assertThat(reject.path("type").asText()).as(a).isEqualTo("reject");
                        assertThat(reject.path("error").asText()).as(a).isNotBlank();
                    }
                    if (!isObjectWithType(frame)) {
                        assertThat(answers).as("answers to %s", frame).hasSize(1);
                    }
                    rejected.addAndGet(answers.size());
                }));
                // Before hello, anything but a valid hello is refused, and the refusal says so.
                Gen<String> notHello = Generate.oneOf(SAMPLES, EVENTS, OTHERS);
                Fuzzing.theory("agent endpoint before hello", BEFORE_HELLO, 100).forAll(Fuzzing.mutants(notHello)).checkAssert(checking(in -> {
                    String frame = encodable(in.text());
                    try (RawAgentSocket early = new RawAgentSocket(dashboard.agentUrl())) {
                        early.send(frame);
                        assertThat(early.next()).as("answer to %s", frame).contains("\"type\":\"reject\"");
                    }
                }));
                assertThat(dashboard.get("/api/jvms/fuzz-host:1:1").path("connected").asBoolean()).isTrue();
            }
            System.out.printf("agent endpoint: %d fuzzed frames, %d rejected with a reason; heap %d MB before, %d MB after%n",
                    sent.get(), rejected.get(), heapBefore >> 20, usedHeapAfterGc() >> 20);
            assertThat(usedHeapAfterGc() - heapBefore).isLessThan(64L << 20);

            try (RawAgentSocket good = new RawAgentSocket(dashboard.agentUrl())) {
                good.send(RawAgentSocket.hello("good-host:2:1", 2, "well-formed"));
                assertThat(good.next()).contains("\"type\":\"ack\"");
                good.send("{\"type\":\"sample\",\"seq\":1,\"ts\":" + System.currentTimeMillis()
                        + ",\"body\":{\"vitals\":{\"threads\":{\"RUNNABLE\":5,\"BLOCKED\":2}}}}");
                await().atMost(10, TimeUnit.SECONDS).until(() -> dashboard.jvmByPid(2) != null
                        && dashboard.jvmByPid(2).at("/sample/vitals/threads/RUNNABLE").asInt() == 5);
                JsonNode jvm = dashboard.jvmByPid(2);
                assertThat(jvm.path("name").asText()).isEqualTo("well-formed");
                assertThat(jvm.at("/sample/vitals/threads/BLOCKED").asInt()).isEqualTo(2);
                assertThat(jvm.path("connected").asBoolean()).isTrue();
            }
        }
    }

    /**
     * Sends {@code frame}, then a sentinel the dashboard rejects and a heartbeat (which resets its count of
     * rejects in a row), and returns what came back before the sentinel's reject: the answers to {@code frame}.
     */
    private static List<String> exchange(RawAgentSocket agent, String frame, int i) throws Exception {
        agent.send(frame);
        String sentinel = "sentinel-" + i;
        agent.send("{\"type\":\"" + sentinel + "\"}");
        agent.send("{\"type\":\"heartbeat\",\"ts\":1}");
        List<String> answers = new ArrayList<>();
        while (true) {
            String m = agent.next();
            if (m.contains("'" + sentinel + "'")) {
                return answers;
            }
            answers.add(m);
        }
    }

    private static boolean isObjectWithType(String frame) {
        try {
            JsonNode n = Json.MAPPER.readTree(frame);
            return n != null && n.isObject() && n.path("type").isTextual();
        } catch (Exception e) {
            return false;
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
