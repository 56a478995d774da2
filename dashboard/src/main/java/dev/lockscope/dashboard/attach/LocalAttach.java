package dev.lockscope.dashboard.attach;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists the JVMs on this machine that the dashboard's user may attach to, and loads the agent into one, through
 * the agent's own CLI ({@link AgentJarLauncher}). Refusals are the CLI's, with an HTTP status: 404 no such
 * process, 409 the JVM refused or could not be attached, 400 a bad request, 403 attaching from the UI is off,
 * 503 no agent jar.
 */
public final class LocalAttach {
    /** A name the agent option {@code name=} carries unchanged (no option separators). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern LIST_LINE = Pattern.compile("^(\\d+)\\s+(.*)$");

    private final boolean enabled;
    private final String disabledReason;
    private final AgentJarLauncher launcher;
    private final JvmRegistry registry;

    /**
     * @param enabled        whether the UI may attach at all
     * @param disabledReason shown when it may not
     * @param agentJar       the jar to attach (null: the one beside the dashboard)
     */
    public LocalAttach(boolean enabled, String disabledReason, Path agentJar, String token, JvmRegistry registry) {
        this.enabled = enabled;
        this.disabledReason = disabledReason;
        this.launcher = new AgentJarLauncher(agentJar != null ? agentJar : AgentJarLauncher.defaultAgentJar(), token,
                java.time.Duration.ofSeconds(60));
        this.registry = registry;
    }

    /** Whether attaching is on, and with which jar (for the UI). */
    public ObjectNode status() {
        ObjectNode o = Json.MAPPER.createObjectNode().put("enabled", enabled && launcher.available());
        if (!enabled) {
            o.put("reason", disabledReason);
        } else if (!launcher.available()) {
            o.put("reason", noJar());
        }
        o.put("agentJar", launcher.agentJar() == null ? null : launcher.agentJar().toString());
        return o;
    }

    /** {@code [{pid, mainClass, attached, jvmId}]}: local JVMs of this user, except the dashboard itself. */
    public ArrayNode list() throws IOException, InterruptedException {
        requireEnabled();
        AgentJarLauncher.Result r = launcher.run("list");
        if (r.exitCode() != 0) {
            throw new HttpResponseException(HttpStatus.BAD_GATEWAY.getCode(), "listing local JVMs failed: " + cliMessage(r), Map.of());
        }
        long self = ProcessHandle.current().pid();
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (String line : r.stdout().split("\\R")) {
            Matcher m = LIST_LINE.matcher(line.strip());
            if (!m.matches() || Long.parseLong(m.group(1)) == self) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            ObjectNode o = a.addObject().put("pid", pid).put("mainClass", m.group(2).strip());
            JvmSession s = connectedWithPid(pid);
            o.put("attached", s != null);
            o.put("jvmId", s == null ? null : s.id());
        }
        return a;
    }

    /**
     * Loads the agent into {@code pid}, pointing it at {@code dashboardUrl}; returns {@code {pid, message}}.
     *
     * @param name optional display name for the JVM
     */
    public ObjectNode attach(String pidText, String name, String dashboardUrl) throws IOException, InterruptedException {
        requireEnabled();
        long pid;
        try {
            pid = Long.parseLong(pidText);
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("'" + pidText + "' is not a process id");
        }
        if (pid <= 0) {
            throw new BadRequestResponse("'" + pidText + "' is not a process id");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new BadRequestResponse("pid " + pid + " is this dashboard itself");
        }
        if (name != null && !name.isEmpty() && !NAME.matcher(name).matches()) {
            throw new BadRequestResponse("name may hold letters, digits, '.', '_' and '-' only (at most 64)");
        }
        JvmSession already = connectedWithPid(pid);
        if (already != null) {
            throw new ConflictResponse("pid " + pid + " already reports to this dashboard as JVM " + already.id());
        }
        String options = "dashboard=" + dashboardUrl + (name == null || name.isEmpty() ? "" : ",name=" + name);
        AgentJarLauncher.Result r = launcher.run("attach", Long.toString(pid), options);
        String message = cliMessage(r);
        return switch (r.exitCode()) {
            case 0 -> Json.MAPPER.createObjectNode().put("pid", pid).put("message", message);
            case 2 -> throw new BadRequestResponse(message);
            default -> {
                if (message.contains("no process with pid")) {
                    throw new NotFoundResponse(message);
                }
                throw new ConflictResponse(message);
            }
        };
    }

    private JvmSession connectedWithPid(long pid) {
        for (JvmSession s : registry.all()) {
            if (s.connected() && s.identity() != null && s.identity().path("pid").asLong() == pid) {
                return s;
            }
        }
        return null;
    }

    private void requireEnabled() {
        if (!enabled) {
            throw new ForbiddenResponse(disabledReason);
        }
        if (!launcher.available()) {
            throw new HttpResponseException(HttpStatus.SERVICE_UNAVAILABLE.getCode(), noJar(), Map.of());
        }
    }

    private String noJar() {
        return launcher.agentJar() == null
                ? "no agent jar found beside the dashboard: start it with --agent-jar /path/to/lockscope-agent.jar"
                : "the agent jar " + launcher.agentJar() + " does not exist: check --agent-jar";
    }

    /** The CLI's own words without its "lockscope: " prefix (stderr first, it holds refusals). */
    private static String cliMessage(AgentJarLauncher.Result r) {
        String text = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
        return text.replaceAll("(?m)^lockscope: ", "");
    }
}
