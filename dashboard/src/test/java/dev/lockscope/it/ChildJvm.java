package dev.lockscope.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real child JVM (usually a sample app, usually with the real agent), with its stdout and stderr captured
 * line by line so tests can wait for what it prints. Always close it: it is killed on close.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> errLines = new CopyOnWriteArrayList<>();
    /** The threads copying the child's output; they end once the child's pipes close. */
    private final List<Thread> pumps;

    private ChildJvm(Process process) {
        this.process = process;
        pumps = List.of(pump(process.getInputStream(), lines, "out"), pump(process.getErrorStream(), errLines, "err"));
    }

    /** Builder for {@code java [jvmArgs] [-javaagent:agent=options] -jar samples.jar sample args}. */
    public static Builder sample(String sample, String... args) {
        Builder b = new Builder();
        b.command.add("-jar");
        b.command.add(Jars.SAMPLES.toString());
        b.command.add(sample);
        b.command.addAll(List.of(args));
        return b;
    }

    /**
     * Builder for {@code java [jvmArgs] [-javaagent:...] -cp classpath mainClass args}. Entries of the agent's own
     * modules are dropped from {@code classpath}: in the child, as in production, the agent must come only from
     * the shaded jar (unshaded copies first on the class path would shadow it).
     */
    public static Builder main(String classpath, String mainClass, String... args) {
        Builder b = new Builder();
        b.command.add("-cp");
        b.command.add(java.util.Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(e -> !isAgentModule(e))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
        b.command.add(mainClass);
        b.command.addAll(List.of(args));
        return b;
    }

    /** Builder for the agent jar's own command line: {@code java -jar lockscope-agent.jar args}. */
    public static Builder agentCli(String... args) {
        Builder b = new Builder();
        b.command.add("-jar");
        b.command.add(Jars.AGENT.toString());
        b.command.addAll(List.of(args));
        return b;
    }

    public static final class Builder {
        private final List<String> command = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC"));
        private Path javaHome = Jars.defaultJavaHome();
        private String agentOptions;

        /** Attach the real agent at start with these options ({@code dashboard=...,name=...}). */
        public Builder agent(String options) {
            this.agentOptions = options;
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        public Builder javaHome(Path home) {
            this.javaHome = home;
            return this;
        }

        public ChildJvm start() throws IOException {
            Jars.requireBuilt();
            List<String> cmd = new ArrayList<>();
            cmd.add(Jars.java(javaHome).toString());
            cmd.addAll(jvmArgs);
            if (agentOptions != null) {
                cmd.add("-javaagent:" + Jars.AGENT + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
            }
            cmd.addAll(command);
            return new ChildJvm(new ProcessBuilder(cmd).start());
        }
    }

    private static boolean isAgentModule(String entry) {
        java.nio.file.Path p = java.nio.file.Paths.get(entry).toAbsolutePath();
        String file = p.getFileName() == null ? "" : p.getFileName().toString();
        return p.startsWith(Jars.ROOT.resolve("agent")) || file.startsWith("lockscope-agent") || file.startsWith("lockscope-bridge")
                || file.startsWith("byte-buddy");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    /**
     * Whether children can be interrupted with SIGINT: a suite started in the background by a non-interactive shell
     * (`cmd &`) inherits SIGINT as ignored, and a JVM never handles a signal ignored at its start.
     */
    public static final boolean SIGINT_WORKS = !sigintIgnoredHere();

    /** The exit status of a JVM ended by {@link #interrupt()}: 130 after SIGINT, 143 after SIGTERM. */
    public static final int INTERRUPTED_EXIT = SIGINT_WORKS ? 130 : 143;

    private static boolean sigintIgnoredHere() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Paths.get("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (2 - 1))) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: assume a normal terminal environment
        }
        return false;
    }

    /**
     * Sends SIGINT, as Ctrl-C in a terminal does; where SIGINT is ignored for this process and its children (see
     * {@link #SIGINT_WORKS}) SIGTERM instead, which runs the same shutdown hooks.
     */
    public void interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", SIGINT_WORKS ? "-INT" : "-TERM", Long.toString(pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -INT " + pid() + " failed");
        }
    }

    public List<String> stdout() {
        return List.copyOf(lines);
    }

    public List<String> stderr() {
        return List.copyOf(errLines);
    }

    /** Waits for a stdout line matching {@code regex}; returns the match. Fails with the output so far. */
    public Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            List<String> now = stdout();
            for (int i = seen; i < now.size(); i++) {
                Matcher m = p.matcher(now.get(i));
                if (m.find()) {
                    return m;
                }
            }
            seen = now.size();
            if (!process.isAlive() && seen == stdout().size()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching /" + regex + "/ within " + timeout + "; stdout: " + tail(stdout())
                + " stderr: " + tail(stderr()));
    }

    /** Waits for the process to exit and returns its exit code; its output is then complete in stdout()/stderr(). */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process " + pid() + " did not exit within " + timeout + "; stdout: " + tail(stdout())
                    + " stderr: " + tail(stderr()));
        }
        for (Thread t : pumps) {
            t.join(10_000); // a loaded machine may not have copied the last lines yet
        }
        return process.exitValue();
    }

    private static String tail(List<String> l) {
        return l.subList(Math.max(0, l.size() - 20), l.size()).toString();
    }

    private static Thread pump(java.io.InputStream in, List<String> into, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException e) {
                // process ended
            }
        }, "child-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
