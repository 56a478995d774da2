package dev.lockscope.agent;

import dev.lockscope.protocol.JsonWriter;
import java.util.Map;

/** Answers one kind of dashboard request on the agent's command thread. */
@FunctionalInterface
public interface CommandHandler {
    /**
     * Writes the response body as one JSON value into {@code out}. Throwing sends {@code ok:false} with the
     * exception's message as the error.
     */
    void handle(Map<String, Object> args, JsonWriter out) throws Exception;
}
