package dev.lockscope.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.lockscope.agent.AgentOptions;
import java.io.File;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code java -jar lockscope-agent.jar list | attach <pid> [options]}: finds local JVMs and loads the agent
 * into a running one. Exit status: 0 on success, 1 when the target refused or failed, 2 for bad usage.
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
        long pid;
        try {
            pid = Long.parseLong(pidText);
        } catch (NumberFormatException e) {
            err.println("lockscope: '" + pidText + "' is not a process id");
            return 2;
        }
        if (ProcessHandle.of(pid).isEmpty()) {
            err.println("lockscope: no process with pid " + pid);
            return 1;
        }
        AgentOptions parsed = AgentOptions.parse(options);
        if (!parsed.problems().isEmpty()) {
            parsed.problems().forEach(p -> err.println("lockscope: " + p));
            return 2;
        }
        // The target reads LOCKSCOPE_TOKEN from its own environment, which the attacher cannot set: forward ours,
        // so a token never has to appear on a command line (where other users' `ps` would show it).
        String envToken = System.getenv("LOCKSCOPE_TOKEN");
        if (!parsed.has("token") && envToken != null && !envToken.isBlank()) {
            options = options.isEmpty() ? "token=" + envToken : options + ",token=" + envToken;
        }
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
            vm.loadAgent(jar, options);
            out.println("lockscope: agent loaded into pid " + pid);
            return 0;
        } catch (Exception e) {
            String m = message(e);
            if (m.contains("EnableDynamicAgentLoading") || m.contains("not enabled") || m.contains("dynamic")) {
                err.println("lockscope: pid " + pid + " refuses dynamically loaded agents (" + m
                        + "); restart it with -javaagent:" + jar + " or -XX:+EnableDynamicAgentLoading");
            } else {
                err.println("lockscope: loading the agent into pid " + pid + " failed: " + m);
            }
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (Exception ignored) {
                // the target may already be gone
            }
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
