package dev.lockscope.dashboard.jvms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.protocol.Protocol;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Everything the dashboard knows about one JVM, across reconnects of its agent: identity, connection state,
 * a bounded history of samples and events, and the request channel to the agent.
 *
 * <p>Thread-safety: written by the agent's WebSocket thread, read by HTTP handlers; all access to the
 * history goes through this object's monitor and readers get copies.
 */
public final class JvmSession implements LiveJvm {
    private final String id;
    private final int historySamples;
    private final int maxEvents;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** The connection each pending request went out on: only its own connection's end fails it. */
    private final Map<String, Consumer<String>> sentOn = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private volatile JsonNode identity;
    private volatile List<String> features = List.of();
    private volatile Consumer<String> sender;
    private volatile boolean connected;
    private volatile String archive;
    private volatile long connectedAt;
    private volatile long disconnectedAt;
    private volatile long lastSeenAt;
    private volatile long lastSeq;
    private volatile long detachedAt;
    /** Samples and events taken from the agent over all its connections (an ingestion figure). */
    private volatile long received;
    private final AtomicLong connects = new AtomicLong();

    /** One once-a-second sample as the agent sent it ({@code body} holds a section per agent feature). */
    public record Sample(long seq, long ts, JsonNode body) {}

    /** One event (deadlock, long wait, ...) as the agent sent it. */
    public record Event(String kind, long seq, long ts, JsonNode body) {}

    JvmSession(String id, int historySamples, int maxEvents) {
        this.id = id;
        this.historySamples = historySamples;
        this.maxEvents = maxEvents;
    }

    public String id() {
        return id;
    }

    public JsonNode identity() {
        return identity;
    }

    public List<String> features() {
        return features;
    }

    public boolean connected() {
        return connected;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public long disconnectedAt() {
        return disconnectedAt;
    }

    public long lastSeenAt() {
        return lastSeenAt;
    }

    public long connects() {
        return connects.get();
    }

    /** Samples and events received so far (written under this object's monitor, read without it). */
    public long received() {
        return received;
    }

    /** Name of the capture archive this JVM was loaded from (read-only, never connected), or null. */
    public String archive() {
        return archive;
    }

    /** Marks this session as loaded from the capture archive {@code name}: read-only, not connected. */
    public void markArchive(String name) {
        archive = name;
        detach();
    }

    /**
     * "Now" for window figures: the wall clock for a live JVM, the last sample's time for an archive (whose
     * data ended when the capture did).
     */
    public long now() {
        Sample last = archive == null ? null : latest();
        return last == null ? System.currentTimeMillis() : last.ts();
    }

    synchronized void attach(JsonNode identity, List<String> features, Consumer<String> sender) {
        this.identity = identity;
        this.features = List.copyOf(features);
        this.sender = sender;
        this.connected = true;
        this.connectedAt = System.currentTimeMillis();
        this.lastSeenAt = connectedAt;
        connects.incrementAndGet();
    }

    /** A JVM from an earlier run of the dashboard: identity only, disconnected since it was last seen. */
    synchronized void restore(JsonNode identity, long lastSeenAt) {
        this.identity = identity;
        this.connected = false;
        this.connectedAt = lastSeenAt;
        this.disconnectedAt = lastSeenAt;
        this.lastSeenAt = lastSeenAt;
    }

    public synchronized void detach() {
        connected = false;
        sender = null;
        disconnectedAt = System.currentTimeMillis();
        for (CompletableFuture<JsonNode> f : pending.values()) {
            f.completeExceptionally(new AgentUnavailableException("the agent disconnected before answering"));
        }
        pending.clear();
        sentOn.clear();
    }

    /**
     * The agent's connection {@code connection} ended: its pending requests fail, and the JVM is disconnected
     * unless a newer connection already replaced it. (A broken connection's close can reach the dashboard after
     * the agent's reconnect and hello; found by {@code ConnectionFaultsEndToEndTest}.)
     */
    public synchronized void detach(Consumer<String> connection) {
        if (sender == connection) {
            detach();
            return;
        }
        sentOn.forEach((requestId, via) -> {
            if (via == connection) {
                CompletableFuture<JsonNode> f = pending.remove(requestId);
                sentOn.remove(requestId);
                if (f != null) {
                    f.completeExceptionally(new AgentUnavailableException("the agent disconnected before answering"));
                }
            }
        });
    }

    /** The agent said it detaches (its {@code detached} event): the coming disconnect is on purpose. */
    public void markDetached(long ts) {
        detachedAt = ts;
    }

    /** Disconnected because its agent detached (not because it died or the link broke); a new attach clears it. */
    public boolean detached() {
        return !connected && detachedAt > 0 && detachedAt >= connectedAt;
    }

    public long detachedAt() {
        return detachedAt;
    }

    public void touch() {
        lastSeenAt = System.currentTimeMillis();
    }

    synchronized void addSample(Sample s) {
        touch();
        received++;
        lastSeq = Math.max(lastSeq, s.seq());
        samples.addLast(s);
        while (samples.size() > historySamples) {
            samples.removeFirst();
        }
    }

    synchronized void addEvent(Event e) {
        touch();
        received++;
        events.addLast(e);
        while (events.size() > maxEvents) {
            events.removeFirst();
        }
    }

    /** The most recent sample, or null before the first one. */
    public synchronized Sample latest() {
        return samples.peekLast();
    }

    /** Samples with {@code ts >= sinceMillis}, oldest first (a copy). */
    public synchronized List<Sample> samplesSince(long sinceMillis) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.ts() >= sinceMillis) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The newest sample taken at or before {@code tsMillis}, or the oldest one kept if none is that old:
     * the baseline for "cumulative now minus cumulative then" window figures.
     */
    public synchronized Sample sampleAtOrBefore(long tsMillis) {
        Sample best = samples.peekFirst();
        for (Sample s : samples) {
            if (s.ts() <= tsMillis) {
                best = s;
            } else {
                break;
            }
        }
        return best;
    }

    /** Events of {@code kind} (or all when null), oldest first (a copy). */
    public synchronized List<Event> events(String kind) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (kind == null || kind.equals(e.kind())) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<JsonNode> request(String command, Map<String, Object> args, Duration timeout) {
        Consumer<String> s = sender;
        if (archive != null) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("this JVM is the capture archive "
                    + archive + ", shown read-only: nothing can be asked of it"));
        }
        if (!connected || s == null) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("JVM " + id + " is not connected"));
        }
        String requestId = "r" + requestIds.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(requestId, f);
        sentOn.put(requestId, s);
        ObjectNode msg = Json.MAPPER.createObjectNode()
                .put("type", Protocol.REQUEST).put("id", requestId).put("command", command);
        msg.set("args", Json.MAPPER.valueToTree(args));
        try {
            s.accept(msg.toString());
        } catch (RuntimeException e) {
            pending.remove(requestId);
            sentOn.remove(requestId);
            return CompletableFuture.failedFuture(new AgentUnavailableException("sending to the agent failed: " + e.getMessage()));
        }
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, t) -> {
                    pending.remove(requestId);
                    sentOn.remove(requestId);
                })
                .exceptionallyCompose(t -> CompletableFuture.failedFuture(
                        t instanceof java.util.concurrent.TimeoutException
                                ? new AgentUnavailableException("the agent did not answer '" + command + "' within "
                                        + timeout.toSeconds() + " s")
                                : t));
    }

    public void complete(String requestId, boolean ok, JsonNode body, String error) {
        CompletableFuture<JsonNode> f = pending.remove(requestId);
        sentOn.remove(requestId);
        if (f == null) {
            return; // answered after its timeout
        }
        if (ok) {
            f.complete(body);
        } else {
            f.completeExceptionally(new AgentErrorException(error == null ? "the agent reported an error" : error));
        }
    }

    long lastSeq() {
        return lastSeq;
    }
}
