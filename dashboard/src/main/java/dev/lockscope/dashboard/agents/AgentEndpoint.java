package dev.lockscope.dashboard.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.security.AccessPolicy;
import dev.lockscope.protocol.Protocol;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /agent} WebSocket: validates every frame, routes hello / sample / event / response / heartbeat
 * into the {@link JvmRegistry}, and answers anything else with a {@code reject} naming the reason. A bad frame
 * never closes the connection by itself; an agent that sends nothing but bad frames is closed cleanly.
 */
public final class AgentEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(AgentEndpoint.class);
    /** After this many rejected frames in a row the peer is clearly not a lockscope agent. */
    static final int MAX_CONSECUTIVE_REJECTS = 50;

    private final JvmRegistry registry;
    private final AccessPolicy access;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    private static final class Connection {
        JvmSession jvm;
        java.util.function.Consumer<String> sender;
        int consecutiveRejects;
    }

    public AgentEndpoint(JvmRegistry registry, AccessPolicy access) {
        this.registry = registry;
        this.access = access;
    }

    public void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String refusal = access.agentRefusal(ctx.header(Protocol.TOKEN_HEADER), ctx.header("Origin"), ctx.host());
            if (refusal != null) {
                LOG.warn("refused agent connection from {}: {}", ctx.session.getRemoteSocketAddress(), refusal);
                ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, refusal);
                return;
            }
            ctx.session.setIdleTimeout(java.time.Duration.ofSeconds(60));
            ctx.session.setMaxTextMessageSize(Protocol.MAX_FRAME_BYTES);
            connections.put(ctx.sessionId(), new Connection());
        });
        ws.onMessage(ctx -> onMessage(ctx, ctx.message()));
        ws.onBinaryMessage(ctx -> reject(ctx, connections.get(ctx.sessionId()), "binary frames are not part of the protocol"));
        ws.onClose(ctx -> closed(ctx.sessionId()));
        ws.onError(ctx -> {
            LOG.warn("agent connection error: {}", ctx.error() == null ? "unknown" : ctx.error().toString());
            closed(ctx.sessionId());
        });
    }

    private void closed(String sessionId) {
        Connection c = connections.remove(sessionId);
        if (c != null && c.jvm != null) {
            c.jvm.detach(c.sender);
            LOG.info("agent of JVM {} disconnected", c.jvm.id());
        }
    }

    private void onMessage(WsContext ctx, String text) {
        Connection c = connections.get(ctx.sessionId());
        if (c == null) {
            return; // refused at connect
        }
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            reject(ctx, c, "malformed JSON: " + firstLine(e.getMessage()));
            return;
        }
        if (msg == null || !msg.isObject() || !msg.path("type").isTextual()) {
            reject(ctx, c, "expected a JSON object with a string 'type'");
            return;
        }
        String type = msg.get("type").asText();
        if (c.jvm == null && !Protocol.HELLO.equals(type)) {
            reject(ctx, c, "expected hello before '" + type + "'");
            return;
        }
        String problem = switch (type) {
            case Protocol.HELLO -> hello(ctx, c, msg);
            case Protocol.SAMPLE -> sample(c, msg);
            case Protocol.EVENT -> event(c, msg);
            case Protocol.RESPONSE -> response(c, msg);
            case Protocol.HEARTBEAT -> {
                c.jvm.touch();
                yield null;
            }
            default -> "unknown message type '" + type + "'";
        };
        if (problem != null) {
            reject(ctx, c, problem);
        } else {
            c.consecutiveRejects = 0;
        }
    }

    private String hello(WsContext ctx, Connection c, JsonNode msg) {
        if (c.jvm != null) {
            return "hello sent twice on one connection";
        }
        if (msg.path("protocol").asInt(-1) != Protocol.VERSION) {
            return "protocol version " + msg.path("protocol") + " is not supported (dashboard speaks " + Protocol.VERSION + ")";
        }
        JsonNode id = msg.path("identity");
        String jvmId = id.path("jvmId").asText("");
        if (!id.isObject() || jvmId.isBlank() || jvmId.length() > 512 || !id.path("pid").canConvertToLong()) {
            return "hello without a valid identity (jvmId, pid)";
        }
        List<String> features = new ArrayList<>();
        msg.path("features").forEach(f -> features.add(f.asText()));
        c.sender = text -> ctx.send(text);
        c.jvm = registry.connect(jvmId, id, features, c.sender);
        ObjectNode ack = Json.MAPPER.createObjectNode().put("type", Protocol.ACK).put("jvmId", jvmId)
                .put("protocol", Protocol.VERSION);
        ctx.send(ack.toString());
        LOG.info("agent connected: JVM {} ({}, pid {})", jvmId, id.path("name").asText(), id.path("pid").asLong());
        return null;
    }

    private String sample(Connection c, JsonNode msg) {
        if (!msg.path("seq").canConvertToLong() || !msg.path("ts").canConvertToLong() || !msg.path("body").isObject()) {
            return "sample needs numeric seq and ts and an object body";
        }
        registry.sampleArrived(c.jvm, new JvmSession.Sample(msg.get("seq").asLong(), msg.get("ts").asLong(), msg.get("body")));
        return null;
    }

    private String event(Connection c, JsonNode msg) {
        if (!msg.path("kind").isTextual() || !msg.path("ts").canConvertToLong() || !msg.path("body").isObject()) {
            return "event needs a string kind, numeric ts and an object body";
        }
        registry.eventArrived(c.jvm, new JvmSession.Event(msg.get("kind").asText(), msg.path("seq").asLong(),
                msg.get("ts").asLong(), msg.get("body")));
        return null;
    }

    private String response(Connection c, JsonNode msg) {
        if (!msg.path("id").isTextual() || !msg.path("ok").isBoolean()) {
            return "response needs a string id and a boolean ok";
        }
        c.jvm.complete(msg.get("id").asText(), msg.get("ok").asBoolean(), msg.get("body"),
                msg.path("error").isTextual() ? msg.get("error").asText() : null);
        return null;
    }

    private void reject(WsContext ctx, Connection c, String reason) {
        String who = c != null && c.jvm != null ? "JVM " + c.jvm.id() : String.valueOf(ctx.session.getRemoteSocketAddress());
        LOG.warn("rejected a message from agent {}: {}", who, reason);
        ctx.send(Json.MAPPER.createObjectNode().put("type", Protocol.REJECT).put("error", reason).toString());
        if (c != null && ++c.consecutiveRejects >= MAX_CONSECUTIVE_REJECTS) {
            ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, "too many rejected messages");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
