package dev.lockscope.bench.ingest;

import dev.lockscope.bench.Args;
import dev.lockscope.bench.Child;
import dev.lockscope.bench.DashboardProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Ingestion measurement: a real dashboard in its own process, {@link AgentSwarm} agents connected to it, the
 * event rate stepped up until the agents' bounded queues start dropping. Per step: messages/s (events and samples)
 * the agents produced and the dashboard ingested ({@code received} in its JVM list), the backlog between them at
 * the end of the step (in the agents' queues and socket buffers), drops, the dashboard's CPU (from {@code /proc}), its live heap after a full GC ({@code jcmd GC.class_histogram}),
 * and UI update latency — from a sample produced by agent 0 (queueing included) to it arriving on the browser's stream
 * {@code /api/jvms/{id}/stream} (server-sent events), read here as a browser would.
 *
 * <p>Usage: {@code IngestionRun [agents=50] [rates=1000,2000,5000,10000,20000,40000] [step=15] [history=60s]
 * [maxEvents=1000] [dashboardCpus=0] [dashboardJar=…]}. Run it pinned to other cores than the dashboard's.
 */
public final class IngestionRun {
    private static final Pattern SEQ = Pattern.compile("^data: \\{\"seq\":(\\d+)");
    private static final Pattern HISTO_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)");

    private IngestionRun() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Args.parse(args);
        int agents = Integer.parseInt(o.getOrDefault("agents", "50"));
        long stepMs = (long) (Double.parseDouble(o.getOrDefault("step", "15")) * 1000);
        // Memory only: the harness must neither read nor leave data in the user's ~/.lockscope.
        List<String> flags = new ArrayList<>(List.of("--data-dir", "none", "--history", o.getOrDefault("history", "60s")));
        if (o.containsKey("maxEvents")) {
            flags.addAll(List.of("--max-events", o.get("maxEvents")));
        }
        Path out = Paths.get(o.getOrDefault("out", "benchmarks/target/ingestion"));
        Files.createDirectories(out);
        try (DashboardProcess dashboard = DashboardProcess.start(
                Paths.get(o.getOrDefault("dashboardJar", "dashboard/target/lockscope-dashboard.jar")).toAbsolutePath(),
                o.getOrDefault("dashboardCpus", "0"), List.of("-Xmx1g"), flags, out.resolve("dashboard.log"))) {
            double idleHeap = liveHeapMb(dashboard.pid());
            System.out.printf("dashboard pid %d flags %s, live heap with no agent %.1f MB%n", dashboard.pid(), flags, idleHeap);
            try (AgentSwarm swarm = AgentSwarm.connect(URI.create(dashboard.agentUrl()), agents, "swarm", null)) {
                System.out.printf("%d agents connected (hello/ack each)%n", agents);
                ConcurrentHistogram latency = new ConcurrentHistogram(3_600_000_000L, 3);
                subscribe(dashboard, swarm, latency);
                System.out.printf("%9s %10s %11s %9s %9s %9s %13s %10s %10s %10s%n", "target/s", "offered/s", "ingested/s",
                        "backlog", "dropped", "dash CPU", "live heap MB", "UI p50 ms", "UI p99 ms", "UI max ms");
                for (String r : o.getOrDefault("rates", "1000,2000,5000,10000,20000,40000").split(",")) {
                    double rate = Double.parseDouble(r);
                    // The list GET can take seconds on a loaded dashboard: ingested/s is timed between its answers,
                    // the swarm's and the process's counters over the step itself.
                    long received0 = received(dashboard);
                    long r0 = System.nanoTime();
                    latency.reset();
                    long offered0 = swarm.offered();
                    long dropped0 = swarm.dropped();
                    long cpu0 = cpuTicks(dashboard.pid());
                    long t0 = System.nanoTime();
                    swarm.rate(rate);
                    Thread.sleep(stepMs);
                    long offered = swarm.offered() - offered0;
                    long dropped = swarm.dropped() - dropped0;
                    long cpu1 = cpuTicks(dashboard.pid());
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    Histogram h = latency.copy();
                    long received = received(dashboard) - received0;
                    double receivedSeconds = (System.nanoTime() - r0) / 1e9;
                    long backlog = swarm.offered() - swarm.dropped() - received0 - received;
                    swarm.rate(0);
                    double heap = liveHeapMb(dashboard.pid());
                    System.out.printf("%9.0f %10.0f %11.0f %9d %9d %8.0f%% %13.1f %10.1f %10.1f %10.1f%n", rate, offered / seconds,
                            received / receivedSeconds, backlog, dropped,
                            (cpu1 - cpu0) / 100.0 / seconds * 100, heap, h.getValueAtPercentile(50) / 1000.0,
                            h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
                    Thread.sleep(2_000); // let a backlog drain before the next step
                    if (dropped > 0) {
                        System.out.println("drops began at " + (long) rate + " events/s: stopping");
                        break;
                    }
                }
                System.out.printf("per JVM (live heap over the no-agent figure / %d agents): %.2f MB%n", agents,
                        (liveHeapMb(dashboard.pid()) - idleHeap) / agents);
            }
        }
    }

    /** Reads agent 0's sample stream as the browser does and records the time from send to arrival. */
    private static void subscribe(DashboardProcess dashboard, AgentSwarm swarm, Histogram latency) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(dashboard.url() + "/api/jvms/" + swarm.jvmId(0) + "/stream"))
                .header("Accept", "text/event-stream").build();
        HttpClient.newHttpClient().sendAsync(req, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
            try (Stream<String> lines = r.body()) {
                lines.forEach(l -> {
                    long now = System.nanoTime();
                    Matcher m = SEQ.matcher(l);
                    if (m.find()) {
                        Long sent = swarm.sampleSentNanos(0, Long.parseLong(m.group(1)));
                        if (sent != null) {
                            latency.recordValue(Math.max(1, (now - sent) / 1000));
                        }
                    }
                });
            }
        });
    }

    /** Samples and events the dashboard has taken from the swarm's agents so far ({@code received} in the JVM list). */
    @SuppressWarnings("unchecked")
    private static long received(DashboardProcess dashboard) throws IOException, InterruptedException {
        long n = 0;
        for (Object o : (List<Object>) dashboard.get("/api/jvms")) {
            Map<String, Object> j = (Map<String, Object>) o;
            if (String.valueOf(j.get("name")).startsWith("swarm-")) {
                n += ((Number) j.get("received")).longValue();
            }
        }
        return n;
    }

    /** utime + stime of a process, in clock ticks (1/100 s on Linux). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Live heap: {@code GC.class_histogram} runs a full GC first and totals what survived it. */
    static double liveHeapMb(long pid) throws IOException, InterruptedException {
        Matcher m = HISTO_TOTAL.matcher(Child.jcmd(pid, "GC.class_histogram"));
        if (!m.find()) {
            throw new IllegalStateException("no total in the class histogram of " + pid);
        }
        return Long.parseLong(m.group(2)) / 1048576.0;
    }
}
