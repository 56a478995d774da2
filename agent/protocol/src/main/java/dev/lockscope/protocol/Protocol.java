package dev.lockscope.protocol;

/**
 * The agent ⇄ dashboard wire contract: one WebSocket, JSON text frames, described in docs/PROTOCOL.md.
 *
 * <p>Every frame is an object with a {@code type}. The agent dials out, sends {@link #HELLO} and waits for
 * {@link #ACK}; after that it streams {@link #SAMPLE}s once a second, {@link #EVENT}s as they happen and
 * {@link #HEARTBEAT}s; the dashboard sends {@link #REQUEST}s that the agent answers with a {@link #RESPONSE}
 * carrying the same {@code id}.
 */
public final class Protocol {
    /** Bumped on any incompatible change; the dashboard refuses agents with another major version. */
    public static final int VERSION = 1;

    public static final String AGENT_PATH = "/agent";
    /** Header the agent sends its token in (never a query parameter: URLs end up in logs). */
    public static final String TOKEN_HEADER = "Authorization";
    public static final String TOKEN_SCHEME = "Bearer ";

    public static final String HELLO = "hello";
    public static final String ACK = "ack";
    public static final String SAMPLE = "sample";
    public static final String EVENT = "event";
    public static final String HEARTBEAT = "heartbeat";
    public static final String REQUEST = "request";
    public static final String RESPONSE = "response";
    /** Dashboard → agent: a frame the dashboard could not accept (reason in {@code error}). */
    public static final String REJECT = "reject";

    /** Largest frame the dashboard accepts; thread dumps and profile results stay well below it. */
    public static final int MAX_FRAME_BYTES = 32 * 1024 * 1024;

    private Protocol() {}
}
