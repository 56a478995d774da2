package dev.lockscope.agent.transport;

import dev.lockscope.agent.AgentOptions;
import dev.lockscope.agent.CommandHandler;
import dev.lockscope.agent.JvmIdentity;
import dev.lockscope.bridge.AgentThread;
import dev.lockscope.protocol.JsonReader;
import dev.lockscope.protocol.JsonWriter;
import dev.lockscope.protocol.Protocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The agent's one connection to the dashboard: a WebSocket it dials out on, sending the hello, samples, events
 * and responses, and receiving requests.
 *
 * <p>Application threads never wait on it: producers only {@link OutboundQueue#offer offer} to bounded queues.
 * A single sender thread owns the socket; when the dashboard is down, slow or restarting it reconnects with
 * {@link Backoff} while the queues drop and count. A send that the dashboard does not take within
 * {@link #SEND_TIMEOUT} aborts the connection, so a peer that never reads cannot hold anything up.
 */
public final class DashboardLink {
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final long HEARTBEAT_MS = 5_000;
    static final int MAX_INCOMING_CHARS = 1 << 20;

    private final URI uri;
    private final String token;
    private final JvmIdentity identity;
    private final Function<String, CommandHandler> commands;
    private final OutboundQueue messages;
    /** Responses have their own queue so a flood of samples and events can never crowd one out. */
    private final OutboundQueue responses = new OutboundQueue(64);
    private final AtomicLong seq = new AtomicLong();
    private final Backoff backoff = new Backoff();
    private final ExecutorService commandThreads;
    private final AtomicLong connects = new AtomicLong();
    private volatile Thread sender;
    private volatile WebSocket socket;
    private volatile boolean acked;
    private volatile boolean closed;
    /** Set by {@link #closeAfterFlush}: the sender sends what is queued, then a close frame, then stops. */
    private volatile boolean closing;
    /** Requests being handled; their responses must go out before a graceful close. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile ExecutorService httpThreads;
    private volatile HttpClient client;
    private volatile Supplier<List<String>> features = List::of;
    private volatile Consumer<String> tap;

    public DashboardLink(AgentOptions options, JvmIdentity identity, Function<String, CommandHandler> commands) {
        // An incident capture works without a dashboard (that is its point) unless one is named explicitly.
        String target = options.get("dashboard", options.has("capture") ? "none" : AgentOptions.DEFAULT_DASHBOARD);
        this.uri = "none".equals(target) ? null : agentUri(target);
        String t = options.get("token", System.getenv("LOCKSCOPE_TOKEN"));
        this.token = t == null || t.isBlank() ? null : t;
        this.identity = identity;
        this.commands = commands;
        this.messages = new OutboundQueue((int) Math.max(16, options.number("queue", 1024)));
        // At most four requests run at once (a profile may run for minutes); more get a "busy" answer.
        this.commandThreads = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> new AgentThread(r, "lockscope-command"));
    }

    /**
     * The dashboard's agent endpoint from what a user is likely to type: its WebSocket URL, the address its UI
     * shows ({@code http://host:7070}, which is where the endpoint lives, at {@code /agent}) or {@code host:port}.
     * Anything else is reported on stderr and the agent runs without a dashboard.
     */
    static URI agentUri(String target) {
        String t = target.trim();
        if (!t.contains("://")) {
            t = "ws://" + t;
        }
        try {
            URI u = URI.create(t);
            if (u.getScheme() == null) { // "#s://host", "a?b://host": a URI, but a relative one (found by fuzzing)
                throw new IllegalArgumentException("no scheme");
            }
            String scheme = u.getScheme().toLowerCase(java.util.Locale.ROOT);
            String ws = switch (scheme) {
                case "ws", "http" -> "ws";
                case "wss", "https" -> "wss";
                default -> throw new IllegalArgumentException("scheme " + scheme + " is not ws, wss, http or https");
            };
            if (u.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/") ? "/agent" : u.getRawPath();
            return new URI(ws + "://" + u.getRawAuthority() + path);
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            System.err.println("lockscope: dashboard=" + target + " is not a dashboard address (" + e.getMessage()
                    + "; use e.g. ws://127.0.0.1:7070/agent or http://127.0.0.1:7070); running without a dashboard");
            return null;
        }
    }

    /** Starts dialling the dashboard; {@code features} is asked at each hello (features may still be starting). */
    public void start(Supplier<List<String>> features) {
        this.features = features;
        if (uri == null) {
            return;
        }
        sender = new AgentThread(this::run, "lockscope-link");
        sender.start();
    }

    public void sendSample(Consumer<JsonWriter> body) {
        JsonWriter w = new JsonWriter().beginObject()
                .field("type", Protocol.SAMPLE).field("seq", seq.incrementAndGet())
                .field("ts", System.currentTimeMillis()).name("body").beginObject();
        body.accept(w);
        publish(w.endObject().endObject().toString());
    }

    public boolean sendEvent(String kind, Consumer<JsonWriter> body) {
        JsonWriter w = new JsonWriter().beginObject()
                .field("type", Protocol.EVENT).field("kind", kind).field("seq", seq.incrementAndGet())
                .field("ts", System.currentTimeMillis()).name("body").beginObject();
        body.accept(w);
        return publish(w.endObject().endObject().toString());
    }

    /**
     * Also hands every sample and event sent from now on to {@code tap} (an incident capture recording them),
     * or stops doing so when null. The tap runs on the sending thread and must not block.
     */
    public void tap(Consumer<String> tap) {
        this.tap = tap;
    }

    private boolean publish(String message) {
        Consumer<String> t = tap;
        if (t != null) {
            t.accept(message);
        }
        // Without a dashboard nothing would ever drain the queue: do not fill it.
        return uri == null || messages.offer(message);
    }

    public long dropped() {
        return messages.dropped() + responses.dropped();
    }

    public int queued() {
        return messages.size();
    }

    /** How many times the link reached the dashboard and got an ack. */
    public long connects() {
        return connects.get();
    }

    public void close() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        commandThreads.shutdownNow();
    }

    /**
     * Detach: lets the sender send everything queued (and the answers of requests still running) followed by a
     * normal close frame, waiting at most {@code maxWaitMs}; then closes for good and stops every thread of the
     * link (sender, command and HTTP threads, the HTTP client's selector). Called from an agent thread; never from the sender itself.
     */
    public void closeAfterFlush(long maxWaitMs, java.lang.instrument.Instrumentation inst) {
        closing = true;
        Thread s = sender;
        if (s != null) {
            try {
                s.join(maxWaitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
        if (s != null) {
            s.interrupt();
            try {
                s.join(maxWaitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ExecutorService h = httpThreads;
        if (h != null) {
            h.shutdownNow();
        }
        HttpClientShutdown.shutdown(client, inst);
    }

    private void run() {
        httpThreads = httpThreads();
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(httpThreads);
        javax.net.ssl.SSLContext plain = "ws".equalsIgnoreCase(uri.getScheme()) ? unusedTlsContext() : null;
        if (plain != null) {
            builder.sslContext(plain);
        }
        HttpClient client = builder.build();
        this.client = client;
        while (!closed && !closing) {
            try {
                connectAndPump(client);
            } catch (Throwable t) {
                // Dashboard down, refused, slow or gone: fall through to the backoff.
            }
            socket = null;
            acked = false;
            if (!closed && !closing) {
                sleep(backoff.nextDelayMillis());
            }
        }
    }

    /**
     * For a plain {@code ws:} dashboard, which never uses TLS: the HttpClient otherwise builds the JVM's default
     * SSLContext at creation, loading and parsing the default trust store (hundreds of classes, a few hundred ms of
     * CPU taken from the application's start-up on one core). No trust managers: it could not verify anyone, and
     * is never asked to. Null (the default context) if it cannot be made.
     */
    private static javax.net.ssl.SSLContext unusedTlsContext() {
        try {
            javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLS");
            c.init(null, new javax.net.ssl.TrustManager[0], null);
            return c;
        } catch (Exception e) {
            return null;
        }
    }

        private static ExecutorService httpThreads() {
        return new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> new AgentThread(r, "lockscope-http"));
    }

    private void connectAndPump(HttpClient client) throws Exception {
        WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
        if (token != null) {
            b.header(Protocol.TOKEN_HEADER, Protocol.TOKEN_SCHEME + token);
        }
        Incoming incoming = new Incoming();
        WebSocket ws = b.buildAsync(uri, incoming).get(CONNECT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        socket = ws;
        send(ws, hello());
        long deadline = System.currentTimeMillis() + 5_000;
        while (!acked && !incoming.closed && System.currentTimeMillis() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        if (!acked) {
            ws.abort();
            return;
        }
        backoff.reset();
        connects.incrementAndGet();
        long lastSend = System.currentTimeMillis();
        while (!closed && !incoming.closed && !ws.isOutputClosed()) {
            String next = responses.poll();
            if (next == null) {
                next = messages.poll();
            }
            if (next != null) {
                send(ws, next);
                lastSend = System.currentTimeMillis();
            } else if (closing && inFlight.get() == 0) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "agent detached").get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } else if (System.currentTimeMillis() - lastSend > HEARTBEAT_MS) {
                send(ws, new JsonWriter().beginObject().field("type", Protocol.HEARTBEAT)
                        .field("ts", System.currentTimeMillis()).endObject().toString());
                lastSend = System.currentTimeMillis();
            } else {
                LockSupport.parkNanos(20_000_000);
            }
        }
        ws.abort();
    }

    private static void send(WebSocket ws, String text) throws Exception {
        try {
            ws.sendText(text, true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            ws.abort(); // never wait longer on a peer that does not read
            throw e;
        }
    }

    /** The hello this link opens each connection with (identity and the features started so far). */
    public String hello() {
        JsonWriter w = new JsonWriter().beginObject().field("type", Protocol.HELLO)
                .field("protocol", Protocol.VERSION).name("identity").beginObject();
        identity.writeTo(w);
        return w.endObject().field("features", features.get()).endObject().toString();
    }

    private void onMessage(String text) {
        Map<String, Object> msg;
        try {
            msg = JsonReader.parseObject(text, MAX_INCOMING_CHARS);
        } catch (RuntimeException e) {
            return; // a dashboard bug must not hurt the app; nothing to answer without an id
        }
        Object type = msg.get("type");
        if (Protocol.ACK.equals(type)) {
            acked = true;
        } else if (Protocol.REQUEST.equals(type)) {
            dispatch(msg);
        } else if (Protocol.REJECT.equals(type)) {
            System.err.println("lockscope: dashboard rejected a message: " + msg.get("error"));
        }
    }

    @SuppressWarnings("unchecked")
    private void dispatch(Map<String, Object> msg) {
        String id = String.valueOf(msg.get("id"));
        String command = String.valueOf(msg.get("command"));
        Object a = msg.get("args");
        Map<String, Object> args = a instanceof Map ? (Map<String, Object>) a : Map.of();
        CommandHandler handler = commands.apply(command);
        if (handler == null) {
            respondError(id, "unknown command '" + command + "'");
            return;
        }
        inFlight.incrementAndGet();
        try {
            commandThreads.execute(() -> {
                try {
                    JsonWriter body = new JsonWriter();
                    try {
                        handler.handle(args, body);
                    } catch (Throwable t) {
                        respondError(id, t.getMessage() == null ? t.toString() : t.getMessage());
                        return;
                    }
                    String b = body.toString();
                    responses.offer(new JsonWriter().beginObject().field("type", Protocol.RESPONSE).field("id", id)
                            .field("ok", true).name("body").raw(b.isEmpty() ? "null" : b).endObject().toString());
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            respondError(id, "busy: the agent is already running 4 requests");
        }
    }

    private void respondError(String id, String error) {
        responses.offer(new JsonWriter().beginObject().field("type", Protocol.RESPONSE).field("id", id)
                .field("ok", false).field("error", error).endObject().toString());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Receives frames; runs on the HTTP client's (agent-owned) threads. */
    private final class Incoming implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile boolean closed;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (partial.length() + data.length() <= MAX_INCOMING_CHARS) {
                partial.append(data);
            }
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    onMessage(text);
                } catch (Throwable t) {
                    // never let a bad frame kill the listener
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed = true;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed = true;
        }
    }
}
