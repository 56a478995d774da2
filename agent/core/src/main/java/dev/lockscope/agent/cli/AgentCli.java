package dev.lockscope.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.lockscope.agent.AgentOptions;
import dev.lockscope.agent.AgentRuntime;
import java.io.File;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code java -jar lockscope-agent.jar list | attach <pid> [options] | detach <pid>}: finds local JVMs, loads the
 * agent into a running one, or removes it again. A second {@code attach} to a JVM where the agent runs hands the
 * options to the running agent (see {@code AgentRuntime}); {@code detach} is such a hand-over with
 * {@code detach=true}. Exit status: 0 on success, 1 when the target refused or failed, 2 for bad usage.
 */
public final class AgentCli {
    private AgentCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0])) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        switch (args[0]) {
            case "list" -> {
                return list(out);
            }
            case "attach" -> {
                if (args.length < 2 || args.length > 3) {
                    err.println("lockscope: usage: attach <pid> [key=value,...]");
                    return 2;
                }
                return attach(args[1], args.length == 3 ? args[2] : "", out, err);
            }
            case "capture" -> {
                return CaptureCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
            }
            case "detach" -> {
                if (args.length != 2) {
                    err.println("lockscope: usage: detach <pid>");
                    return 2;
                }
                return detach(args[1], out, err);
            }
            default -> {
                err.println("lockscope: unknown command '" + args[0] + "'");
                usage(err);
                return 2;
            }
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar lockscope-agent.jar list");
        out.println("       java -jar lockscope-agent.jar attach <pid> [dashboard=ws://127.0.0.1:7070/agent,name=...,token=...]");
        out.println("       java -jar lockscope-agent.jar detach <pid>");
        out.println("       java -jar lockscope-agent.jar capture <pid> [--for 60s] [-o incident.zip] [key=value,...]");
    }

    private static int list(PrintStream out) {
        long self = ProcessHandle.current().pid();
        List<VirtualMachineDescriptor> vms = VirtualMachine.list();
        out.printf("%-8s %s%n", "PID", "MAIN CLASS");
        for (VirtualMachineDescriptor d : vms) {
            if (!d.id().equals(Long.toString(self))) {
                out.printf("%-8s %s%n", d.id(), d.displayName().isBlank() ? "(unknown)" : d.displayName().split(" ", 2)[0]);
            }
        }
        return 0;
    }

    private static int attach(String pidText, String options, PrintStream out, PrintStream err) {
        long pid = pid(pidText, err);
        if (pid < 0) {
            return (int) -pid;
        }
        AgentOptions parsed = AgentOptions.parse(options);
        if (!parsed.problems().isEmpty()) {
            parsed.problems().forEach(p -> err.println("lockscope: " + p));
            return 2;
        }
        // The target reads LOCKSCOPE_TOKEN from its own environment, which the attacher cannot set: forward ours,
        // so a token never has to appear on a command line (where other users' `ps` would show it).
        // The options are echoed below as typed, so the forwarded token stays out of the terminal too.
        String envToken = System.getenv("LOCKSCOPE_TOKEN");
        String toAgent = parsed.has("token") || envToken == null || envToken.isBlank() ? options
                : options.isEmpty() ? "token=" + envToken : options + ",token=" + envToken;
        return withVm(pid, err, (vm, jar) -> {
            boolean wasRunning = "running".equals(state(vm));
            if (!load(vm, jar, pid, toAgent, err)) {
                return 1;
            }
            out.println(wasRunning
                    ? "lockscope: the agent already runs in pid " + pid + "; options handed to it: " + options
                    : "lockscope: agent loaded into pid " + pid);
            return 0;
        });
    }

    private static int detach(String pidText, PrintStream out, PrintStream err) {
        long pid = pid(pidText, err);
        if (pid < 0) {
            return (int) -pid;
        }
        return withVm(pid, err, (vm, jar) -> {
            if (!"running".equals(state(vm))) {
                err.println("lockscope: no lockscope agent runs in pid " + pid + "; nothing to detach");
                return 1;
            }
            // The running agent's agentmain detaches synchronously: when this returns, it is gone.
            if (!load(vm, jar, pid, "detach=true", err)) {
                return 1;
            }
            if (!"detached".equals(state(vm))) {
                err.println("lockscope: pid " + pid + " did not confirm the detach (state: " + state(vm) + ")");
                return 1;
            }
            out.println("lockscope: agent detached from pid " + pid
                    + " (instrumented classes restored, agent threads and recordings stopped)");
            return 0;
        });
    }

    /**
     * Loads the agent into {@code pid} with {@code options}; an agent already running there takes them over
     * (a capture, say). 0 on success, 1 after saying why not.
     */
    static int loadInto(long pid, String options, PrintStream err) {
        return withVm(pid, err, (vm, jar) -> load(vm, jar, pid, options, err) ? 0 : 1);
    }

    /** The agent's state in {@code pid} ({@code running}, {@code detached}, null if it never ran), or null if unreachable. */
    static String stateOf(long pid) {
        String[] state = new String[1];
        withVm(pid, new PrintStream(java.io.OutputStream.nullOutputStream()), (vm, jar) -> {
            state[0] = state(vm);
            return 0;
        });
        return state[0];
    }

    private interface VmAction {
        int run(VirtualMachine vm, String jar) throws Exception;
    }

    /** The pid, or after printing why not, minus the exit status: -2 not a number, -1 no such process. */
    static long pid(String pidText, PrintStream err) {
        long pid;
        try {
            pid = Long.parseLong(pidText);
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            err.println("lockscope: '" + pidText + "' is not a process id");
            return -2;
        }
        if (ProcessHandle.of(pid).isEmpty()) {
            err.println("lockscope: no process with pid " + pid);
            return -1;
        }
        return pid;
    }

    private static int withVm(long pid, PrintStream err, VmAction action) {
        String jar;
        try {
            jar = new File(AgentCli.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (Exception e) {
            err.println("lockscope: cannot locate the agent jar: " + e);
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (Exception e) {
            err.println("lockscope: cannot attach to pid " + pid + ": " + message(e)
                    + " (is it a JVM run by the same user?)");
            return 1;
        }
        try {
            return action.run(vm, jar);
        } catch (Exception e) {
            err.println("lockscope: talking to pid " + pid + " failed: " + message(e));
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (Exception ignored) {
                // the target may already be gone
            }
        }
    }

    /** What the target's agent says it is doing ({@code running}, {@code detached}), or null when it never ran. */
    private static String state(VirtualMachine vm) throws java.io.IOException {
        return vm.getSystemProperties().getProperty(AgentRuntime.STATE_PROPERTY);
    }

    private static boolean load(VirtualMachine vm, String jar, long pid, String options, PrintStream err) {
        try {
            vm.loadAgent(jar, options);
            return true;
        } catch (Exception e) {
            String m = message(e);
            if (m.contains("EnableDynamicAgentLoading") || m.contains("not enabled") || m.contains("dynamic")) {
                err.println("lockscope: pid " + pid + " refuses dynamically loaded agents (" + m
                        + "); restart it with -javaagent:" + jar + " or -XX:+EnableDynamicAgentLoading");
            } else {
                err.println("lockscope: loading the agent into pid " + pid + " failed: " + m);
            }
            return false;
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
