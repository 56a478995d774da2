package dev.lockscope.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent's options: {@code key=value} pairs separated by commas, as given after {@code -javaagent:jar=}
 * or to {@code attach <pid>}. Parsing never fails: unknown keys and malformed pairs become
 * {@link #problems()} that the agent prints in one line each, and the rest still applies.
 */
public final class AgentOptions {
    public static final String DEFAULT_DASHBOARD = "ws://127.0.0.1:7070/agent";

    /** Every option the agent understands, with its meaning (printed when an option is unknown). */
    static final Map<String, String> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("dashboard", "WebSocket URL of the dashboard (default " + DEFAULT_DASHBOARD + "), or 'none'");
        KNOWN.put("name", "name shown in the dashboard (default: main class or jar)");
        KNOWN.put("token", "token for a dashboard that requires one (or env LOCKSCOPE_TOKEN)");
        KNOWN.put("pools.instrument", "instrument ThreadPoolExecutor for wait/run times and rejections (default true)");
        KNOWN.put("pools.timing", "sample task wait/run times in ThreadPoolExecutors (default true; false: counts only)");
        KNOWN.put("queue", "outbound message queue capacity (default 1024)");
        KNOWN.put("pinning.threshold", "shortest virtual-thread pin recorded (default 20ms, JFR's own default)");
        KNOWN.put("deadlockPeriod", "how often the agent looks for deadlocks (default 500ms; 0 = never)");
        dev.lockscope.agent.locks.LockContention.describeOptions(KNOWN);
        KNOWN.put("capture", "record an incident into this zip archive, without a dashboard (see docs/OFFLINE.md)");
        KNOWN.put("for", "how long a capture records (default 60s)");
        dev.lockscope.agent.waits.WaitsFeature.describeOptions(KNOWN);
        KNOWN.put("profiler", "engine for on-demand profiles: auto (async-profiler, JFR if it cannot load), async, jfr");
        dev.lockscope.agent.profile.AlwaysOnRecording.describeOptions(KNOWN);
        FeatureSwitches.describeOptions(KNOWN);
        OverheadGovernor.describeOptions(KNOWN);
        StartupWait.describeOptions(KNOWN);
        KNOWN.put("detach", "true: detach the agent already running in this JVM (what the CLI's detach command sends)");
    }

    private final Map<String, String> values;
    private final List<String> problems;

    private AgentOptions(Map<String, String> values, List<String> problems) {
        this.values = values;
        this.problems = problems;
    }

    public static AgentOptions parse(String args) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (args != null && !args.isBlank()) {
            for (String pair : args.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    problems.add("malformed option '" + pair + "' (expected key=value)");
                    continue;
                }
                String key = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                if (!KNOWN.containsKey(key)) {
                    problems.add("unknown option '" + key + "' ignored (known: " + String.join(", ", KNOWN.keySet()) + ")");
                    continue;
                }
                values.put(key, value);
            }
        }
        return new AgentOptions(values, problems);
    }

    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Integer option; a value that is not a number is reported and the fallback used. */
    public long number(String key, long fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            problems.add("option " + key + "=" + v + " is not a number; using " + fallback);
            values.remove(key);
            return fallback;
        }
    }

    /** Duration option in milliseconds: accepts {@code 250ms}, {@code 2s}, {@code 5m} or plain milliseconds. */
    public long millis(String key, long fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Durations.parseMillis(v);
        } catch (IllegalArgumentException e) {
            problems.add("option " + key + "=" + v + ": " + e.getMessage() + "; using " + fallback + "ms");
            values.remove(key);
            return fallback;
        }
    }

    /** Boolean option: true/false, on/off, yes/no. */
    public boolean flag(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        switch (v.toLowerCase()) {
            case "true", "on", "yes", "1" -> {
                return true;
            }
            case "false", "off", "no", "0" -> {
                return false;
            }
            default -> {
                problems.add("option " + key + "=" + v + " is not true/false; using " + fallback);
                values.remove(key);
                return fallback;
            }
        }
    }

    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    public Set<String> keys() {
        return new TreeSet<>(values.keySet());
    }

    /** Small parser for human-written durations, shared with the CLI. */
    public static final class Durations {
        private Durations() {}

        public static long parseMillis(String v) {
            String t = v.trim().toLowerCase();
            long factor = 1;
            if (t.endsWith("ms")) {
                t = t.substring(0, t.length() - 2);
            } else if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1);
                factor = 1000;
            } else if (t.endsWith("m")) {
                t = t.substring(0, t.length() - 1);
                factor = 60_000;
            }
            try {
                long n = Long.parseLong(t.trim());
                if (n < 0) {
                    throw new IllegalArgumentException("negative duration");
                }
                return Math.multiplyExact(n, factor);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("not a duration (use e.g. 500ms, 2s, 1m)");
            }
        }
    }
}
