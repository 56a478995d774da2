package dev.lockscope.dashboard.attach;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the agent jar's own command line ({@code java -jar lockscope-agent.jar list | attach <pid> <options>}) in a
 * child process, so the UI lists and attaches exactly as the CLI does, with the CLI's refusals, and the dashboard
 * never self-attaches or loads the Attach API into its own process. The token travels in the child's environment
 * ({@code LOCKSCOPE_TOKEN}), never on its command line.
 */
final class AgentJarLauncher {
    /** What the CLI said: its exit status (0 ok, 1 refused or failed, 2 bad usage) and its output. */
    record Result(int exitCode, String stdout, String stderr) {}

    private final Path agentJar;
    private final String token;
    private final Duration timeout;

    AgentJarLauncher(Path agentJar, String token, Duration timeout) {
        this.agentJar = agentJar;
        this.token = token;
        this.timeout = timeout;
    }

    Path agentJar() {
        return agentJar;
    }

    boolean available() {
        return agentJar != null && Files.isRegularFile(agentJar);
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(agentJar.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("LOCKSCOPE_TOKEN");
        if (token != null) {
            pb.environment().put("LOCKSCOPE_TOKEN", token);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("the agent's command line did not finish within " + timeout.toSeconds() + " s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /**
     * The agent jar the dashboard ships with: {@code lockscope-agent.jar} beside the dashboard's jar, or, in a
     * source checkout, {@code agent/target/lockscope-agent.jar} of the build the dashboard runs from. Null if neither.
     */
    static Path defaultAgentJar() {
        try {
            Path here = Paths.get(AgentJarLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = here.getParent(); dir != null; dir = dir.getParent()) {
                for (Path candidate : List.of(dir.resolve("lockscope-agent.jar"), dir.resolve("agent/target/lockscope-agent.jar"))) {
                    if (Files.isRegularFile(candidate)) {
                        return candidate;
                    }
                }
                if (dir.getNameCount() < here.getNameCount() - 3) {
                    break;
                }
            }
        } catch (Exception e) {
            // no code source (unusual class loader): --agent-jar must say where it is
        }
        return null;
    }
}
