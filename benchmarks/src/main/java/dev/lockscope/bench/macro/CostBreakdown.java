package dev.lockscope.bench.macro;

import dev.lockscope.bench.Args;
import dev.lockscope.bench.Child;
import dev.lockscope.bench.DashboardProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipFile;

/**
 * Where the agent's cost goes. The shop service runs at a fixed request rate (open loop below saturation, so
 * both sides do the same work), without and with the agent at its defaults, and async-profiler (cpu, 1 ms) is
 * loaded into it for a window of the measured phase. Each sample is put in one place by its stack — the
 * application, JFR writing events in the application's threads, each of the agent's threads, the JIT, the VM
 * thread — and the places are printed as CPU milliseconds per second on each side, as a Markdown table.
 *
 * <p>Both sides carry the same profiler: the agent jar's copy of {@code libasyncProfiler.so}, loaded with
 * {@code jcmd <pid> JVMTI.agent_load}. Collapsed stacks are kept in {@code out}.
 *
 * <p>Usage: {@code CostBreakdown [rounds=2] [rate=5000] [warmup=40] [duration=20] [serviceCpus=0] [loadCpus=1]
 * [agentJar=…] [dashboardJar=…] [benchJar=…] [out=benchmarks/target/overhead-where]} (seconds).
 */
public final class CostBreakdown {
    /** The places, tried in order: the first whose test matches a stack gets its samples. */
    private static final List<Place> PLACES = List.of(
            new Place("JIT compiler threads", s -> s.contains("CompileBroker")),
            new Place("VM thread (serial GC, safepoint operations)", s -> s.contains("VMThread")),
            new Place("agent: JFR monitor stream (MonitorStream)", s -> agentThread(s) && s.contains("MonitorStream")),
            new Place("agent: 1 s sample to JSON (AgentRuntime.sampleLoop)", s -> agentThread(s) && s.contains("AgentRuntime.sampleLoop")),
            new Place("agent: lock drain thread (LockContention)", s -> agentThread(s) && s.contains("LockContention")),
            new Place("agent: WebSocket link (DashboardLink)", s -> agentThread(s) && s.contains("DashboardLink")),
            new Place("agent: JFR park and GC stream (JvmPauses)", s -> agentThread(s) && s.contains("JvmPauses")),
            new Place("agent: thread-state sampler (WaitsFeature)", s -> agentThread(s) && s.contains("WaitsFeature")),
            new Place("agent: other threads", CostBreakdown::agentThread),
            new Place("JFR's own threads", s -> !app(s) && (s.contains("jdk/jfr") || s.contains("Jfr"))),
            new Place("JFR events written in application threads", s -> app(s) && (s.contains("Jfr") || s.contains("jfr_"))),
            new Place("agent advice and bridge in application threads", s -> app(s)
                    && (s.contains("dev/lockscope/agent") || s.contains("dev/lockscope/bridge"))),
            new Place("application (Jetty, Javalin, shop)", CostBreakdown::app),
            new Place("other", s -> true));

    private record Place(String name, java.util.function.Predicate<String> test) {}

    private final Map<String, String> o;
    private final Path benchJar;
    private final Path agentJar;
    private final Path out;

    private CostBreakdown(Map<String, String> o) {
        this.o = o;
        this.benchJar = Paths.get(o.getOrDefault("benchJar", "benchmarks/target/lockscope-benchmarks.jar")).toAbsolutePath();
        this.agentJar = Paths.get(o.getOrDefault("agentJar", "agent/target/lockscope-agent.jar")).toAbsolutePath();
        this.out = Paths.get(o.getOrDefault("out", "benchmarks/target/overhead-where")).toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        new CostBreakdown(Args.parse(args)).run();
    }

    private static boolean app(String stack) {
        return stack.contains("jetty") || stack.contains("javalin") || stack.contains("dev/lockscope/bench");
    }

    private static boolean agentThread(String stack) {
        return !app(stack) && stack.contains("dev/lockscope/agent");
    }

    private void run() throws Exception {
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "2"));
        Files.createDirectories(out);
        Path profiler = extractProfiler();
        System.out.printf("where the cost goes: %d rounds of [none, agent] at %s req/s, profiled %s s after %s s%n", rounds,
                o.getOrDefault("rate", "5000"), o.getOrDefault("duration", "20"), o.getOrDefault("warmup", "40"));
        Map<String, List<Map<String, Long>>> samples = new LinkedHashMap<>();
        try (DashboardProcess dashboard = OverheadRun.harnessDashboard(o, out)) {
            for (int r = 0; r < rounds; r++) {
                for (String v : r % 2 == 0 ? List.of("none", "agent") : List.of("agent", "none")) {
                    Path collapsed = profileOnce(v, r, dashboard, profiler);
                    samples.computeIfAbsent(v, k -> new ArrayList<>()).add(sort(collapsed));
                }
            }
        }
        print(samples.get("none"), samples.get("agent"));
    }

    private Path profileOnce(String variant, int round, DashboardProcess dashboard, Path profiler) throws Exception {
        int port = Child.freePort();
        List<String> args = new ArrayList<>(List.of("-Xms256m", "-Xmx256m"));
        if (variant.equals("agent")) {
            args.add("-javaagent:" + agentJar + "=dashboard=" + dashboard.agentUrl() + ",name=shop-where-" + round);
        }
        args.addAll(List.of("-cp", benchJar.toString(), ShopService.class.getName(), Integer.toString(port)));
        long warmup = Long.parseLong(o.getOrDefault("warmup", "40"));
        long duration = Long.parseLong(o.getOrDefault("duration", "20"));
        Path collapsed = out.resolve("cpu-" + variant + "-" + round + ".collapsed");
        try (Child service = Child.java(o.getOrDefault("serviceCpus", "0"), args)) {
            service.awaitLine("ready ", 60_000);
            if (variant.equals("agent")) {
                OverheadRun.awaitInstrumented(dashboard, dashboard.awaitJvm(service.pid(), 60_000));
            }
            // The generator measures after its own warm-up; the profile covers the middle of that window.
            List<String> load = List.of("-Xmx256m", "-cp", benchJar.toString(), LoadGenerator.class.getName(),
                    "port=" + port, "rate=" + o.getOrDefault("rate", "5000"), "warmup=" + warmup, "duration=" + (duration + 2));
            try (Child generator = Child.java(o.getOrDefault("loadCpus", "1"), load)) {
                Thread.sleep(warmup * 1000 + 1000);
                profiler(service.pid(), profiler, "start,event=cpu,interval=1ms");
                Thread.sleep(duration * 1000);
                profiler(service.pid(), profiler, "stop,file=" + collapsed + ",collapsed");
                String result = generator.awaitLine("result ", 120_000);
                System.out.printf("round %d %-5s %s%n", round, variant, result.substring(7));
            }
        }
        if (!Files.exists(collapsed)) {
            throw new IllegalStateException("async-profiler wrote no " + collapsed);
        }
        return collapsed;
    }

    /** {@code jcmd JVMTI.agent_load} reads key=value as its own option unless the profiler's options are quoted. */
    private static void profiler(long pid, Path library, String options) throws IOException, InterruptedException {
        String answer = Child.jcmd(pid, "JVMTI.agent_load", library.toString(), "\"" + options + "\"");
        if (!answer.contains("return code: 0")) {
            throw new IllegalStateException("async-profiler " + options + ": " + answer.strip());
        }
    }

    private Path extractProfiler() throws IOException {
        String dir = System.getProperty("os.arch").equals("aarch64") ? "linux-arm64" : "linux-x64";
        Path lib = out.resolve("libasyncProfiler.so");
        try (ZipFile jar = new ZipFile(agentJar.toFile());
             InputStream in = jar.getInputStream(jar.getEntry(dir + "/libasyncProfiler.so"))) {
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        return lib;
    }

    /** Samples per place in one collapsed-stacks file ("frame;frame;... count" per line). */
    private static Map<String, Long> sort(Path collapsed) throws IOException {
        Map<String, Long> byPlace = new TreeMap<>();
        for (String line : Files.readAllLines(collapsed)) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String stack = line.substring(0, space);
            long n = Long.parseLong(line.substring(space + 1).trim());
            for (Place p : PLACES) {
                if (p.test().test(stack)) {
                    byPlace.merge(p.name(), n, Long::sum);
                    break;
                }
            }
        }
        return byPlace;
    }

    private void print(List<Map<String, Long>> none, List<Map<String, Long>> agent) {
        // 1 ms samples: samples per second are CPU milliseconds per second
        double seconds = Double.parseDouble(o.getOrDefault("duration", "20"));
        double noneTotal = PLACES.stream().mapToDouble(p -> mean(none, p.name())).sum() / seconds;
        double agentTotal = PLACES.stream().mapToDouble(p -> mean(agent, p.name())).sum() / seconds;
        System.out.println("\n| where | none (CPU ms/s) | agent (CPU ms/s) | difference | share of none's CPU |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (Place p : PLACES) {
            double n = mean(none, p.name()) / seconds;
            double a = mean(agent, p.name()) / seconds;
            System.out.printf("| %s | %.0f | %.0f | %+.0f | %+.1f %% |%n", p.name(), n, a, a - n, (a - n) / noneTotal * 100);
        }
        System.out.printf("| **total** | %.0f | %.0f | %+.0f | %+.1f %% |%n", noneTotal, agentTotal, agentTotal - noneTotal,
                (agentTotal - noneTotal) / noneTotal * 100);
        System.out.println("collapsed stacks: " + out);
    }

    private static double mean(List<Map<String, Long>> runs, String place) {
        return runs.stream().mapToLong(m -> m.getOrDefault(place, 0L)).average().orElse(0);
    }
}
