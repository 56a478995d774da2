package dev.lockscope.dashboard.controls;

import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The agent CLI, {@code jcmd}, and the lines {@code DetachProbeWorkload} prints. */
final class ControlsSupport {
    private ControlsSupport() {}

    record Run(int exit, String out, String err) {}

    /** {@code java -jar lockscope-agent.jar args...} */
    static Run agentCli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Jars.java(Jars.defaultJavaHome()).toString(), "-jar",
                Jars.AGENT.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** {@code jcmd <pid> args...} of the JDK running the tests (the children run on it too). */
    static String jcmd(long pid, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Jars.defaultJavaHome().resolve("bin/jcmd").toString(),
                Long.toString(pid)));
        cmd.addAll(List.of(args));
        Run r = run(cmd);
        if (r.exit() != 0) {
            throw new AssertionError("jcmd " + args[0] + " failed: " + r.out() + r.err());
        }
        return r.out();
    }

    private static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + cmd);
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** One once-a-second line of {@code DetachProbeWorkload}. */
    record Probe(long ops, long recorded, boolean poolSeen, String state) {
        static final Pattern LINE = Pattern.compile("ops=(\\d+) recorded=(-?\\d+) poolSeen=(true|false) state=(\\w+)");
    }

    /** The probe lines printed after line {@code from} of the child's stdout. */
    static List<Probe> probes(ChildJvm app, int from) {
        List<Probe> out = new ArrayList<>();
        List<String> lines = app.stdout();
        for (int i = from; i < lines.size(); i++) {
            Matcher m = Probe.LINE.matcher(lines.get(i));
            if (m.find()) {
                out.add(new Probe(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        Boolean.parseBoolean(m.group(3)), m.group(4)));
            }
        }
        return out;
    }

    /** Waits until {@code count} probe lines were printed after line {@code from}; returns them. */
    static List<Probe> awaitProbes(ChildJvm app, int from, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(count * 3L + 10);
        while (System.nanoTime() < deadline) {
            List<Probe> p = probes(app, from);
            if (p.size() >= count) {
                return p.subList(0, count);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("fewer than " + count + " probe lines; stdout: " + app.stdout() + " stderr: " + app.stderr());
    }

    static double meanOps(List<Probe> probes) {
        return probes.stream().mapToLong(Probe::ops).average().orElse(0);
    }
}
