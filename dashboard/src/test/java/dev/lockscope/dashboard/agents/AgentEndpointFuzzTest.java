package dev.lockscope.dashboard.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Fuzz;
import dev.lockscope.it.RunningDashboard;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated protocol frames over a real WebSocket to a real dashboard. Every frame gets at most one
 * answer, and that answer is a {@code reject} with a reason; every frame that is not a JSON object with a string
 * {@code type} gets exactly one. Afterwards the dashboard still serves, the fuzzing connection is still up, and
 * a well-formed agent connects and its data is stored exactly.
 */
class AgentEndpointFuzzTest {
    private static final int FRAMES = 80;
    private static final List<String> SEEDS = List.of(
            RawAgentSocket.hello("fuzz-host:1:1", 1, "fuzzed"),
            "{\"type\":\"sample\",\"seq\":7,\"ts\":1700000000000,\"body\":{\"vitals\":{\"threads\":{\"RUNNABLE\":3,\"BLOCKED\":1}},\"agent\":{\"droppedMessages\":0}}}",
            "{\"type\":\"event\",\"kind\":\"deadlock\",\"seq\":8,\"ts\":1700000000000,\"body\":{\"cycle\":[{\"thread\":\"a\",\"lock\":\"b\"}]}}",
            "{\"type\":\"event\",\"kind\":\"lock-wait\",\"seq\":9,\"ts\":1700000000000,\"body\":{\"name\":\"x\",\"waitNs\":1000000,\"stack\":[\"a.b(C.java:1)\"]}}",
            "{\"type\":\"response\",\"id\":\"r1\",\"ok\":true,\"body\":{\"threads\":[]}}",
            "{\"type\":\"response\",\"id\":\"r2\",\"ok\":false,\"error\":\"no\"}",
            "{\"type\":\"heartbeat\",\"ts\":1700000000000}");

    @Test
    void randomAndMutatedFramesAreEachRejectedWithAReasonAndAWellFormedAgentStillConnects() throws Exception {
        Fuzz fuzz = Fuzz.seeded("agent endpoint");
        try (RunningDashboard dashboard = RunningDashboard.start()) {
            long heapBefore = usedHeapAfterGc();
            int rejected = 0;
            try (RawAgentSocket agent = new RawAgentSocket(dashboard.agentUrl())) {
                agent.send(RawAgentSocket.hello("fuzz-host:1:1", 1, "fuzzed"));
                assertThat(agent.next()).contains("\"type\":\"ack\"");
                for (int i = 0; i < FRAMES; i++) {
                    String frame = Fuzz.encodable(fuzz.chance(0.8) ? fuzz.mutate(fuzz.oneOf(SEEDS)) : fuzz.text(300));
                    List<String> answers = exchange(agent, frame, i);
                    assertThat(answers.size()).as("seed %d: answers to %s", fuzz.seed(), frame).isLessThanOrEqualTo(1);
                    for (String a : answers) {
                        JsonNode reject = Json.MAPPER.readTree(a);
                        assertThat(reject.path("type").asText()).as(a).isEqualTo("reject");
                        assertThat(reject.path("error").asText()).as(a).isNotBlank();
                    }
                    if (!isObjectWithType(frame)) {
                        assertThat(answers).as("seed %d: answers to %s", fuzz.seed(), frame).hasSize(1);
                    }
                    rejected += answers.size();
                }
                // Before hello, anything but a valid hello is refused, and the refusal says so.
                try (RawAgentSocket early = new RawAgentSocket(dashboard.agentUrl())) {
                    for (int i = 0; i < 30; i++) {
                        String frame = Fuzz.encodable(fuzz.mutate(fuzz.oneOf(SEEDS.subList(1, SEEDS.size()))));
                        early.send(frame);
                        String answer = early.next();
                        assertThat(answer).as("seed %d: answer to %s", fuzz.seed(), frame).contains("\"type\":\"reject\"");
                    }
                }
                assertThat(dashboard.get("/api/jvms/fuzz-host:1:1").path("connected").asBoolean()).isTrue();
            }
            System.out.printf("agent endpoint: %d fuzzed frames, %d rejected with a reason; heap %d MB before, %d MB after%n",
                    FRAMES, rejected, heapBefore >> 20, usedHeapAfterGc() >> 20);
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
