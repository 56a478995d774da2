package dev.lockscope.bench.ingest;

import dev.lockscope.bench.Args;
import dev.lockscope.protocol.JsonWriter;
import dev.lockscope.protocol.Protocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many simulated agents in one process, each speaking the real protocol over its own real WebSocket
 * ({@code java.net.http}, like the agent): hello, wait for the ack, then a sample once a second and
 * {@code lock-wait} events (with a 24-frame stack) at a configurable total rate. Each agent has the agent's
 * own back-pressure rule — a bounded outbound queue of {@value #QUEUE} messages, one send in flight, newest
 * message dropped and counted when the queue is full — so "drops" here are what a real agent would drop.
 *
 * <p>Usage as a process: {@code AgentSwarm dashboard=ws://127.0.0.1:7070/agent [agents=50] [rate=1000]
 * [duration=20] [name=swarm]}; prints {@code connected N}, then {@code done sent=… dropped=…} at the end.
 */
public final class AgentSwarm implements AutoCloseable {
    static final int QUEUE = 1024;
    private static final String STACK;

    static {
        JsonWriter w = new JsonWriter().beginArray();
        for (int i = 0; i < 24; i++) {
            w.value("com.example.shop.layer" + i + ".Service.handle(Service.java:" + (100 + i) + ")");
        }
        STACK = w.endArray().toString();
    }

    private final List<SimulatedAgent> agents = new ArrayList<>();
    private final Thread ticker;
    private volatile double eventsPerSecond;
    private volatile boolean running = true;

    private AgentSwarm(URI dashboard, int count, String name, String token) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long pid = ProcessHandle.current().pid();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SimulatedAgent a = new SimulatedAgent(i, name + "-" + i, "swarm:" + pid + ":" + name + "-" + i);
            agents.add(a);
            acks.add(a.connect(http, dashboard, token));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        ticker = new Thread(this::tick, "swarm-ticker");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** Connects {@code count} agents named {@code name-0 … name-(count-1)}; returns once every one got its ack. */
    public static AgentSwarm connect(URI dashboard, int count, String name, String token) throws Exception {
        return new AgentSwarm(dashboard, count, name, token);
    }

    /** Total events per second across all agents (0: samples only). */
    public void rate(double eventsPerSecond) {
        this.eventsPerSecond = eventsPerSecond;
    }

    /** Messages the agents produced (queued or dropped). */
    public long offered() {
        return agents.stream().mapToLong(a -> a.offered.get()).sum();
    }

    /** Messages handed to the sockets. */
    public long sent() {
        return agents.stream().mapToLong(a -> a.sent.get()).sum();
    }

    public long dropped() {
        return agents.stream().mapToLong(a -> a.dropped.get()).sum();
    }

    public String jvmId(int agent) {
        return agents.get(agent).jvmId;
    }

    /** {@code System.nanoTime()} when agent {@code agent}'s sample {@code seq} was produced (queued), or null. */
    public Long sampleSentNanos(int agent, long seq) {
        return agents.get(agent).sampleSentAt.get(seq);
    }

    private void tick() {
        long next = System.nanoTime();
        long tick = 0;
        double credit = 0;
        while (running) {
            next += 10_000_000; // 10 ms
            tick++;
            credit += eventsPerSecond / 100;
            int events = (int) credit;
            credit -= events;
            // Spread this tick's events round-robin so every agent sends about rate/agents.
            int start = (int) (tick % agents.size());
            for (int e = 0; e < events; e++) {
                agents.get((start + e) % agents.size()).event();
            }
            if (tick % 100 == 0) {
                for (SimulatedAgent a : agents) {
                    a.sample();
                }
            }
            long sleep = next - System.nanoTime();
            if (sleep < -100_000_000) {
                next -= sleep; // starved for over 100 ms: skip the missed ticks rather than burst them later
            } else if (sleep > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                } catch (InterruptedException ex) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        ticker.interrupt();
        for (SimulatedAgent a : agents) {
            a.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Args.parse(args);
        int count = Integer.parseInt(o.getOrDefault("agents", "50"));
        try (AgentSwarm swarm = connect(URI.create(o.get("dashboard")), count, o.getOrDefault("name", "swarm"),
                o.get("token"))) {
            System.out.println("connected " + count);
            swarm.rate(Double.parseDouble(o.getOrDefault("rate", "1000")));
            Thread.sleep((long) (Double.parseDouble(o.getOrDefault("duration", "20")) * 1000));
            swarm.rate(0);
            System.out.println("done sent=" + swarm.sent() + " dropped=" + swarm.dropped());
        }
    }

    /** One simulated agent: its socket, its bounded queue and the one thread that sends from it. */
    private static final class SimulatedAgent implements WebSocket.Listener {
        final int index;
        final String name;
        final String jvmId;
        final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        final AtomicLong offered = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final Map<Long, Long> sampleSentAt = new ConcurrentHashMap<>();
        final CompletableFuture<Void> acked = new CompletableFuture<>();
        final StringBuilder partial = new StringBuilder();
        private long seq;
        private volatile WebSocket ws;
        private Thread sender;

        SimulatedAgent(int index, String name, String jvmId) {
            this.index = index;
            this.name = name;
            this.jvmId = jvmId;
        }

        CompletableFuture<Void> connect(HttpClient http, URI dashboard, String token) {
            WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            if (token != null) {
                b.header(Protocol.TOKEN_HEADER, Protocol.TOKEN_SCHEME + token);
            }
            return b.buildAsync(dashboard, this).thenCompose(socket -> {
                ws = socket;
                return socket.sendText(hello(), true);
            }).thenCompose(s -> acked).thenRun(() -> {
                sender = new Thread(this::sendLoop, "swarm-send-" + index);
                sender.setDaemon(true);
                sender.start();
            });
        }

        private String hello() {
            JsonWriter w = new JsonWriter().beginObject().field("type", Protocol.HELLO).field("protocol", Protocol.VERSION)
                    .name("identity").beginObject()
                    .field("jvmId", jvmId).field("pid", 1_000_000 + index).field("host", "swarm").field("name", name)
                    .field("mainClass", AgentSwarm.class.getName()).field("jvmVendor", "simulated")
                    .field("jvmVersion", System.getProperty("java.version")).field("inputArguments", List.of())
                    .field("startTime", System.currentTimeMillis()).field("agentVersion", "swarm")
                    .endObject()
                    .field("features", List.of("vitals", "locks"))
                    .endObject();
            return w.toString();
        }

        synchronized void event() {
            long s = ++seq;
            long now = System.currentTimeMillis();
            String msg = new JsonWriter().beginObject().field("type", Protocol.EVENT).field("kind", "lock-wait")
                    .field("seq", s).field("ts", now).name("body").beginObject()
                    .field("lockId", "L" + (s % 40)).field("name", "com.example.shop.Inventory.lock")
                    .field("kind", "ReentrantLock").field("class", "java.util.concurrent.locks.ReentrantLock")
                    .field("thread", "worker-" + (s % 16)).field("threadId", 40 + s % 16)
                    .field("waitNs", 150_000_000L).field("endMs", now).name("stack").raw(STACK)
                    .endObject().endObject().toString();
            offer(msg);
        }

        synchronized void sample() {
            long s = ++seq;
            long now = System.currentTimeMillis();
            String msg = new JsonWriter().beginObject().field("type", Protocol.SAMPLE).field("seq", s).field("ts", now)
                    .name("body").beginObject()
                    .name("vitals").beginObject()
                    .name("threads").beginObject().field("RUNNABLE", 12).field("BLOCKED", 3).field("WAITING", 20)
                    .field("TIMED_WAITING", 9).field("live", 44).field("daemon", 30).field("peak", 50).field("started", 61).endObject()
                    .name("cpu").beginObject().field("processCpuLoad", 0.42).field("systemCpuLoad", 0.77)
                    .field("processCpuTimeNs", s * 420_000_000L).field("availableProcessors", 8).endObject()
                    .name("heap").beginObject().field("usedBytes", 300_000_000L + s % 1000).field("committedBytes", 536_870_912L)
                    .field("maxBytes", 1_073_741_824L).endObject()
                    .name("gc").beginObject().field("count", s / 3).field("timeMs", s * 2).endObject()
                    .endObject()
                    .name("agent").beginObject().field("droppedMessages", dropped.get()).field("queuedMessages", queue.size())
                    .field("suppressedErrors", 0).field("features", List.of("vitals", "locks")).endObject()
                    .endObject().endObject().toString();
            if (index == 0) { // the probe whose samples the harness times; the others need no record
                sampleSentAt.put(s, System.nanoTime());
            }
            offer(msg);
        }

        private void offer(String msg) {
            offered.incrementAndGet();
            if (!queue.offer(msg)) {
                dropped.incrementAndGet();
            }
        }

        private void sendLoop() {
            try {
                while (true) {
                    String msg = queue.take();
                    // One send in flight, as the agent does: a slow dashboard fills the queue, not the heap.
                    // No timeout (the agent gives up after 10 s and reconnects): here a slow dashboard shows as drops.
                    ws.sendText(msg, true).get();
                    sent.incrementAndGet();
                }
            } catch (InterruptedException e) {
                // closing
            } catch (Exception e) {
                System.err.println("swarm agent " + name + " stopped sending: " + e);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.contains("\"type\":\"" + Protocol.ACK + "\"")) {
                    acked.complete(null);
                } else if (frame.contains("\"type\":\"" + Protocol.REJECT + "\"")) {
                    System.err.println("swarm agent " + name + " got a reject: " + frame);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            acked.completeExceptionally(error);
        }

        void close() {
            if (sender != null) {
                sender.interrupt();
            }
            WebSocket s = ws;
            if (s != null) {
                s.abort();
            }
        }
    }
}
