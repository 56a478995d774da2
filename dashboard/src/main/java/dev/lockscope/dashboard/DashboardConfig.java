package dev.lockscope.dashboard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;

/**
 * Command-line configuration of the dashboard. {@link #parse} rejects anything it does not understand with a
 * message that names the flag, and refuses a non-loopback bind without a token.
 */
public record DashboardConfig(String host, int port, String token, Duration history, Duration findingsWindow,
                              Path dataDir, Duration dataMaxAge, long dataMaxBytes, UiAttach uiAttach, Path agentJar,
                              int maxEvents, int maxDisconnected) {
    public static final int DEFAULT_PORT = 7070;
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Ten minutes of once-a-second samples: the longest window the UI offers. */
    public static final Duration DEFAULT_HISTORY = Duration.ofMinutes(10);
    /** How much recent data windowed detectors judge: long enough to see a trend, short enough to react. */
    public static final Duration DEFAULT_FINDINGS_WINDOW = Duration.ofSeconds(10);
    /** Events (long waits, deadlocks, ...) kept per JVM: about 4 MB per JVM at the agent's event sizes. */
    public static final int DEFAULT_MAX_EVENTS = 1000;
    /** JVMs that went away kept for their history; older ones are forgotten first. */
    public static final int DEFAULT_MAX_DISCONNECTED = 200;

    /** Where captures and findings history live unless {@code --data-dir} says otherwise. */
    public static final Path DEFAULT_DATA_DIR = Paths.get(System.getProperty("user.home"), ".lockscope", "data");
    public static final Duration DEFAULT_DATA_MAX_AGE = Duration.ofDays(7);
    public static final long DEFAULT_DATA_MAX_BYTES = 1L << 30;

    /** Attaching agents from the UI: {@code auto} allows it only while the dashboard serves loopback. */
    public enum UiAttach { AUTO, ON, OFF }

    public static final String USAGE = """
            usage: java -jar lockscope-dashboard.jar [--port 7070] [--host 127.0.0.1] [--token T] [--history 10m] [--findings-window 10s]
                   [--data-dir ~/.lockscope/data|none] [--data-max-age 7d] [--data-max-size 1g] [--ui-attach auto|on|off] [--agent-jar PATH]
                   [--max-events 1000] [--max-disconnected 200]
              --port     HTTP port (0 picks a free one)
              --host     address to bind; anything but loopback requires --token
              --token    token agents and browsers must present (or env LOCKSCOPE_TOKEN)
              --history  how much per-JVM history to keep in memory (e.g. 10m, 1h)
              --findings-window  how much recent data the findings detectors judge (default 10s)
              --data-dir       where captures and findings history are kept across restarts; none: memory only
              --data-max-age   captures older than this are deleted (default 7d)
              --data-max-size  the oldest captures are deleted beyond this total (default 1g; k, m, g suffixes)
              --ui-attach      attach agents to local JVMs from the UI: auto (only on loopback), on, off
              --agent-jar      the agent jar the UI attaches (default: lockscope-agent.jar next to the dashboard's jar)
              --max-events       events kept per JVM, oldest dropped first (default 1000)
              --max-disconnected disconnected JVMs kept, oldest forgotten first (default 200)""";

    public static DashboardConfig defaults() {
        return new DashboardConfig(DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_HISTORY, DEFAULT_FINDINGS_WINDOW,
                null, DEFAULT_DATA_MAX_AGE, DEFAULT_DATA_MAX_BYTES, UiAttach.AUTO, null, DEFAULT_MAX_EVENTS,
                DEFAULT_MAX_DISCONNECTED);
    }

    public DashboardConfig withPort(int p) {
        return new DashboardConfig(host, p, token, history, findingsWindow, dataDir, dataMaxAge, dataMaxBytes, uiAttach, agentJar,
                maxEvents, maxDisconnected);
    }

    public DashboardConfig withToken(String t) {
        return new DashboardConfig(host, port, t, history, findingsWindow, dataDir, dataMaxAge, dataMaxBytes, uiAttach, agentJar,
                maxEvents, maxDisconnected);
    }

    public DashboardConfig withFindingsWindow(Duration w) {
        return new DashboardConfig(host, port, token, history, w, dataDir, dataMaxAge, dataMaxBytes, uiAttach, agentJar,
                maxEvents, maxDisconnected);
    }

    /** Memory bounds: {@code h} of samples and {@code events} events per JVM, {@code disconnected} JVMs kept. */
    public DashboardConfig withRetention(Duration h, int events, int disconnected) {
        return new DashboardConfig(host, port, token, h, findingsWindow, dataDir, dataMaxAge, dataMaxBytes, uiAttach,
                agentJar, events, disconnected);
    }

    /** Persistence in {@code dir} (null: memory only) with these limits. */
    public DashboardConfig withDataDir(Path dir, Duration maxAge, long maxBytes) {
        return new DashboardConfig(host, port, token, history, findingsWindow, dir, maxAge, maxBytes, uiAttach, agentJar,
                maxEvents, maxDisconnected);
    }

    public DashboardConfig withUiAttach(UiAttach mode, Path jar) {
        return new DashboardConfig(host, port, token, history, findingsWindow, dataDir, dataMaxAge, dataMaxBytes, mode, jar,
                maxEvents, maxDisconnected);
    }

    /** Whether the UI may attach agents: {@code auto} means only while nothing beyond this machine can reach us. */
    public boolean uiAttachEnabled() {
        return uiAttach == UiAttach.ON || uiAttach == UiAttach.AUTO && loopbackOnly();
    }

    public boolean loopbackOnly() {
        return isLoopback(host);
    }

    public static DashboardConfig parse(String[] args, String envToken) {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        String token = envToken == null || envToken.isBlank() ? null : envToken;
        Duration history = DEFAULT_HISTORY;
        Duration findingsWindow = DEFAULT_FINDINGS_WINDOW;
        Path dataDir = DEFAULT_DATA_DIR;
        Duration dataMaxAge = DEFAULT_DATA_MAX_AGE;
        long dataMaxBytes = DEFAULT_DATA_MAX_BYTES;
        UiAttach uiAttach = UiAttach.AUTO;
        Path agentJar = null;
        int maxEvents = DEFAULT_MAX_EVENTS;
        int maxDisconnected = DEFAULT_MAX_DISCONNECTED;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("missing value for " + flag);
            }
            switch (flag) {
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port " + value + " is not a number");
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port " + value + " is out of range 0-65535");
                    }
                }
                case "--host" -> host = value;
                case "--token" -> {
                    if (value.isBlank()) {
                        throw new IllegalArgumentException("--token must not be empty");
                    }
                    token = value;
                }
                case "--history" -> history = parseDuration(value);
                case "--findings-window" -> findingsWindow = parseDuration(value);
                case "--data-dir" -> dataDir = value.equals("none") ? null : Paths.get(value);
                case "--data-max-age" -> dataMaxAge = parseDuration(value);
                case "--data-max-size" -> dataMaxBytes = parseSize(value);
                case "--ui-attach" -> {
                    try {
                        uiAttach = UiAttach.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--ui-attach " + value + ": use auto, on or off");
                    }
                }
                case "--agent-jar" -> agentJar = Paths.get(value);
                case "--max-events" -> maxEvents = parseCount(flag, value, 1, 1_000_000);
                case "--max-disconnected" -> maxDisconnected = parseCount(flag, value, 0, 100_000);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        DashboardConfig c = new DashboardConfig(host, port, token, history, findingsWindow, dataDir, dataMaxAge,
                dataMaxBytes, uiAttach, agentJar, maxEvents, maxDisconnected);
        if (!c.loopbackOnly() && token == null) {
            throw new IllegalArgumentException("--host " + host + " is reachable beyond this machine: "
                    + "set --token (or LOCKSCOPE_TOKEN) so only holders of the token can connect");
        }
        return c;
    }

    static int parseCount(String flag, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(flag + " " + v + " is not a whole number from " + min + " to " + max);
    }

    static Duration parseDuration(String v) {
        String t = v.trim().toLowerCase();
        try {
            if (t.endsWith("d")) {
                return Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("'" + v + "' is not a duration (use e.g. 30s, 10m, 1h, 7d)");
    }

    static long parseSize(String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n > 0) {
                return Math.multiplyExact(n, unit);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through
        }
        throw new IllegalArgumentException("'" + v + "' is not a size (use e.g. 500m, 2g)");
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
