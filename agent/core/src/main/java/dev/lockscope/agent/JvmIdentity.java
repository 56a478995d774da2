package dev.lockscope.agent;

import dev.lockscope.protocol.JsonWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.net.InetAddress;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who this JVM is, sent in the hello. {@link #jvmId()} is stable across reconnects (host, pid, start time),
 * so the dashboard keeps one history per JVM however often the link drops.
 */
public record JvmIdentity(String jvmId, long pid, String host, String name, String mainClass, String vendor,
                          String version, List<String> inputArguments, long startTime, String agentVersion) {

    /** Arguments whose value looks like a secret: {@code -Ddb.password=x}, {@code --token=x}, {@code secret=x}. */
    private static final Pattern SECRET = Pattern.compile(
            "(?i)((?:password|passwd|pwd|token|secret|credential|apikey|api[-_.]key|access[-_.]key)[^=:]*[=:]).*");

    static JvmIdentity ofThisJvm(String configuredName) {
        RuntimeMXBean rt = ManagementFactory.getRuntimeMXBean();
        long pid = ProcessHandle.current().pid();
        String host = hostName();
        String mainClass = launcherMainClass();
        String name = configuredName != null && !configuredName.isBlank() ? configuredName : mainClass;
        String agentVersion = JvmIdentity.class.getPackage().getImplementationVersion();
        return new JvmIdentity(host + ":" + pid + ":" + rt.getStartTime(), pid, host, name, mainClass,
                System.getProperty("java.vm.vendor", "?"), System.getProperty("java.runtime.version",
                System.getProperty("java.version", "?")),
                rt.getInputArguments().stream().map(JvmIdentity::redact).toList(), rt.getStartTime(),
                agentVersion == null ? "dev" : agentVersion);
    }

    /** Replaces the value of any argument that names a secret, keeping the key so the user sees it was set. */
    static String redact(String arg) {
        return SECRET.matcher(arg).replaceAll("$1***");
    }

    /** Main class, or the jar for {@code -jar}; from the launcher's {@code sun.java.command}. */
    private static String launcherMainClass() {
        String cmd = System.getProperty("sun.java.command", "");
        String first = cmd.isBlank() ? "unknown" : cmd.split(" ", 2)[0];
        int slash = first.lastIndexOf('/');
        return slash >= 0 ? first.substring(slash + 1) : first;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    public void writeTo(JsonWriter w) {
        w.field("jvmId", jvmId).field("pid", pid).field("host", host).field("name", name)
                .field("mainClass", mainClass).field("jvmVendor", vendor).field("jvmVersion", version)
                .field("inputArguments", inputArguments).field("startTime", startTime)
                .field("agentVersion", agentVersion);
    }
}
