package dev.lockscope.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks matching a regex twice in one invocation — without the agent, then with
 * {@code -javaagent:<agent jar>=dashboard=none} — with the same forks and iterations and JMH's GC profiler, and
 * prints per benchmark: both scores with their 99.9 % confidence intervals, the ratio with its interval, the
 * difference in ns/op, and the allocation per operation of both.
 *
 * <p>Usage: {@code AgentComparison <regex> [forks=3] [warmupIterations=3] [iterations=5] [iterationTime=1s]
 * [agentJar=agent/target/lockscope-agent.jar] [agentOptions=dashboard=none]} (arguments as key=value after the
 * regex). Generic: any capability's benchmarks can be compared by passing their regex.
 */
public final class AgentComparison {
    private AgentComparison() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: AgentComparison <benchmark regex> [forks=3] [warmupIterations=3] [iterations=5]"
                    + " [iterationTime=1s] [agentJar=agent/target/lockscope-agent.jar] [agentOptions=dashboard=none]");
            System.exit(2);
        }
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        int forks = Integer.parseInt(o.getOrDefault("forks", "3"));
        if (forks < 3) {
            System.err.println("note: fewer than 3 forks give a confidence interval you should not trust");
        }
        Path agent = Paths.get(o.getOrDefault("agentJar", "agent/target/lockscope-agent.jar")).toAbsolutePath();
        if (!Files.exists(agent)) {
            throw new IllegalStateException("agent jar not found: " + agent + " (build it with mvn package)");
        }
        String agentArg = "-javaagent:" + agent + "=" + o.getOrDefault("agentOptions", "dashboard=none");

        Map<String, RunResult> without = run(args[0], o, forks, List.of("-Dlockscope.bench.agent=false"));
        Map<String, RunResult> with = run(args[0], o, forks, List.of(agentArg, "-Dlockscope.bench.agent=true"));

        System.out.println();
        System.out.println("agent: " + agentArg);
        System.out.printf("%-58s %22s %22s %22s %12s %12s %12s%n", "benchmark", "without (ns/op)", "with (ns/op)",
                "ratio [99.9% CI]", "diff ns/op", "B/op without", "B/op with");
        for (Map.Entry<String, RunResult> e : without.entrySet()) {
            RunResult w = with.get(e.getKey());
            if (w == null) {
                continue;
            }
            Result<?> a = e.getValue().getPrimaryResult();
            Result<?> b = w.getPrimaryResult();
            double ra = a.getScore();
            double rb = b.getScore();
            double ea = finite(a.getScoreError());
            double eb = finite(b.getScoreError());
            // Ratio interval by propagating the relative half-widths (independent runs).
            double ratio = rb / ra;
            double rel = Math.sqrt(Math.pow(ea / ra, 2) + Math.pow(eb / rb, 2));
            System.out.printf("%-58s %12.3f ± %7.3f %12.3f ± %7.3f %8.3f [%5.3f, %5.3f] %+12.3f %12s %12s%n",
                    e.getKey(), ra, ea, rb, eb, ratio, ratio * (1 - rel), ratio * (1 + rel), rb - ra,
                    alloc(e.getValue()), alloc(w));
        }
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private static String alloc(RunResult r) {
        Result<?> a = r.getSecondaryResults().get("·gc.alloc.rate.norm");
        if (a == null) {
            a = r.getSecondaryResults().get("gc.alloc.rate.norm");
        }
        return a == null ? "–" : String.format("%.3f", a.getScore());
    }

    private static Map<String, RunResult> run(String regex, Map<String, String> o, int forks, List<String> jvmArgs)
            throws Exception {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(regex)
                .forks(forks)
                .warmupIterations(Integer.parseInt(o.getOrDefault("warmupIterations", "3")))
                .measurementIterations(Integer.parseInt(o.getOrDefault("iterations", "5")))
                .warmupTime(TimeValue.fromString(o.getOrDefault("iterationTime", "1s")))
                .measurementTime(TimeValue.fromString(o.getOrDefault("iterationTime", "1s")))
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend(jvmArgs.toArray(new String[0]));
        Collection<RunResult> results = new Runner(b.build()).run();
        Map<String, RunResult> out = new LinkedHashMap<>();
        List<RunResult> sorted = new ArrayList<>(results);
        for (RunResult r : sorted) {
            out.put(r.getParams().getBenchmark(), r);
        }
        return out;
    }
}
