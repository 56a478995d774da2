package dev.lockscope.dashboard.jvms;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Talking to one live JVM, independent of the transport: views and services ask for a thread dump or a
 * profile through this, never through the socket.
 */
public interface LiveJvm {
    /**
     * Sends {@code command} to the JVM's agent. Completes with the response body, or exceptionally with
     * {@link AgentUnavailableException} (not connected, connection lost, timeout) or {@link AgentErrorException}
     * (the agent answered with an error).
     */
    CompletableFuture<JsonNode> request(String command, Map<String, Object> args, Duration timeout);

    /** The agent is not connected, the connection dropped before it answered, or it did not answer in time. */
    final class AgentUnavailableException extends RuntimeException {
        public AgentUnavailableException(String message) {
            super(message);
        }
    }

    /** The agent answered with {@code ok:false}; the message is the agent's reason. */
    final class AgentErrorException extends RuntimeException {
        public AgentErrorException(String message) {
            super(message);
        }
    }
}
