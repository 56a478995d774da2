package dev.lockscope.dashboard.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockscope.it.RunningDashboard;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent endpoint against malformed, unknown, out-of-order and oversized frames, on a real server. */
class AgentEndpointBadInputTest {

    @Test
    void malformedAndUnknownMessagesAreRejectedWithAReasonAndTheConnectionSurvives() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             RawAgentSocket agent = new RawAgentSocket(dashboard.agentUrl())) {
            agent.send("{not json");
            assertThat(agent.next()).contains("\"type\":\"reject\"").contains("malformed JSON");

            agent.send("[1,2,3]");
            assertThat(agent.next()).contains("expected a JSON object with a string 'type'");

            agent.send("{\"type\":\"sample\",\"seq\":1,\"ts\":1,\"body\":{}}");
            assertThat(agent.next()).contains("expected hello before 'sample'");

            agent.send(RawAgentSocket.hello("fuzz-host:1:1", 1, "survivor"));
            assertThat(agent.next()).contains("\"type\":\"ack\"");

            agent.send("{\"type\":\"teleport\"}");
            assertThat(agent.next()).contains("unknown message type 'teleport'");

            agent.send("{\"type\":\"sample\",\"seq\":\"x\",\"ts\":1,\"body\":{}}");
            assertThat(agent.next()).contains("sample needs numeric seq and ts");

            agent.send("{\"type\":\"sample\",\"seq\":2,\"ts\":" + System.currentTimeMillis()
                    + ",\"body\":{\"vitals\":{\"threads\":{\"RUNNABLE\":3}}}}");
            // The well-formed sample after all that is stored: the connection and the JVM's state survived.
            org.awaitility.Awaitility.await().until(() -> dashboard.jvmByPid(1) != null
                    && dashboard.jvmByPid(1).at("/sample/vitals/threads/RUNNABLE").asInt() == 3);
            assertThat(dashboard.jvmByPid(1).path("connected").asBoolean()).isTrue();
        }
    }

    @Test
    void aHelloWithoutIdentityOrWithAnotherProtocolVersionIsRejected() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             RawAgentSocket agent = new RawAgentSocket(dashboard.agentUrl())) {
            agent.send("{\"type\":\"hello\",\"protocol\":99,\"identity\":{}}");
            assertThat(agent.next()).contains("protocol version 99 is not supported");
            agent.send("{\"type\":\"hello\",\"protocol\":1,\"identity\":{\"pid\":\"abc\"}}");
            assertThat(agent.next()).contains("hello without a valid identity");
            assertThat(dashboard.get("/api/jvms")).isEmpty();
        }
    }

    @Test
    void anOversizedFrameClosesTheConnectionCleanlyAndTheDashboardCarriesOn() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             RawAgentSocket agent = new RawAgentSocket(dashboard.agentUrl())) {
            String huge = "{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(2 * dev.lockscope.protocol.Protocol.MAX_FRAME_BYTES) + "\"}";
            agent.send(RawAgentSocket.hello("big-host:3:1", 3, "big"));
            assertThat(agent.next()).contains("\"type\":\"ack\"");
            boolean sendFailed = false;
            try {
                agent.ws.sendText(huge, true).get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                sendFailed = true; // the server dropped the connection mid-frame
            }
            // The server closes the connection (1009: message too big): the frame is cut off, a close arrives,
            // or at the latest the next write on the dead connection fails.
            boolean closed = sendFailed || agent.closedWith.completeOnTimeout(0, 5, TimeUnit.SECONDS).get() != 0;
            for (int i = 0; i < 20 && !closed; i++) {
                try {
                    agent.ws.sendText("{\"type\":\"heartbeat\"}", true).get(5, TimeUnit.SECONDS);
                    Thread.sleep(250);
                } catch (java.util.concurrent.ExecutionException e) {
                    closed = true;
                }
            }
            assertThat(closed).as("connection closed by the server").isTrue();
            org.awaitility.Awaitility.await().until(() -> !dashboard.jvmByPid(3).path("connected").asBoolean());
            try (RawAgentSocket next = new RawAgentSocket(dashboard.agentUrl())) {
                next.send(RawAgentSocket.hello("ok-host:2:1", 2, "next"));
                assertThat(next.next()).contains("\"type\":\"ack\"");
            }
        }
    }

    @Test
    void aPeerThatSendsOnlyGarbageIsDisconnectedAfterALimit() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             RawAgentSocket agent = new RawAgentSocket(dashboard.agentUrl())) {
            for (int i = 0; i < AgentEndpoint.MAX_CONSECUTIVE_REJECTS; i++) {
                agent.send("garbage " + i);
            }
            assertThat(agent.closedWith.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
        }
    }
}
