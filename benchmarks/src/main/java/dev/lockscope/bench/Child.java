package dev.lockscope.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness started (a service, a load generator, a dashboard), optionally pinned to CPUs with
 * {@code taskset}, with its output lines readable as they come; stderr goes to the harness's stderr.
 */
public final class Child implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Child(Process process) {
        this.process = process;
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // process gone
            }
        }, "child-out");
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code java jvmArgs...} pinned to {@code cpus} (e.g. "0"; null: not pinned). */
    public static Child java(String cpus, List<String> javaArgs) throws IOException {
        return java(cpus, javaArgs, null);
    }

    /** As {@link #java(String, List)}, with stderr appended to {@code errLog} (null: the harness's stderr). */
    public static Child java(String cpus, List<String> javaArgs, Path errLog) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.add(tool("java").toString());
        cmd.addAll(javaArgs);
        return new Child(new ProcessBuilder(cmd).redirectError(errLog == null ? ProcessBuilder.Redirect.INHERIT
                : ProcessBuilder.Redirect.appendTo(errLog.toFile())).start());
    }

    /** A JDK tool ({@code java}, {@code jcmd}) of the JDK running the harness. */
    public static Path tool(String name) {
        return Paths.get(System.getProperty("java.home"), "bin", name);
    }

    /** Output of {@code jcmd <pid> <command...>}. */
    public static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tool("jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The next output line starting with {@code prefix}; earlier lines are echoed; fails after the timeout. */
    public String awaitLine(String prefix, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            String l = lines.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (l == null) {
                throw new IllegalStateException("no line starting with '" + prefix + "' within " + timeoutMs
                        + " ms (process " + (process.isAlive() ? "alive" : "exited " + process.exitValue()) + ")");
            }
            if (l.startsWith(prefix)) {
                return l;
            }
            System.out.println("  | " + l);
        }
    }

    /** The JVM's pid (taskset execs java in place, so the pid is the JVM's). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
