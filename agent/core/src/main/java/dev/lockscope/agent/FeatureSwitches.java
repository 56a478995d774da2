package dev.lockscope.agent;

import dev.lockscope.protocol.JsonWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's on/off switches, one per capability that costs something in the application: {@code locks} (the
 * j.u.c. lock instrumentation; off falls back to JFR {@code ThreadPark} events while {@code jfr} is on),
 * {@code pools} (the {@code ThreadPoolExecutor} instrumentation; pools are still found through their worker
 * threads), {@code jfr} (the agent's continuous JFR streams: contended monitors, virtual-thread pinning, JVM pauses) and
 * {@code deadlocks} (the periodic deadlock check).
 *
 * <p>Set at start as agent options ({@code locks=off}; the older {@code locks.instrument}, {@code pools.instrument},
 * {@code locks.jfr} and {@code deadlockPeriod=0} still mean the same), and at runtime through the {@code features}
 * command or a second {@code attach <pid> locks=off}. Thread-safety: changes are serialised by
 * {@link AgentRuntime}; readers see each switch's latest value.
 */
public final class FeatureSwitches {
    public static final String LOCKS = "locks";
    public static final String POOLS = "pools";
    public static final String JFR = "jfr";
    public static final String DEADLOCKS = "deadlocks";
    public static final List<String> NAMES = List.of(LOCKS, POOLS, JFR, DEADLOCKS);

    private final Map<String, Boolean> state = new java.util.concurrent.ConcurrentHashMap<>();

    static void describeOptions(Map<String, String> known) {
        known.put(LOCKS, "on/off: j.u.c. lock instrumentation (default on; same as locks.instrument); also at runtime");
        known.put(POOLS, "on/off: ThreadPoolExecutor instrumentation (default on; same as pools.instrument); also at runtime");
        known.put(JFR, "on/off: the agent's JFR streams, monitors and pinning (default on; off also implies locks.jfr=false); also at runtime");
        known.put(DEADLOCKS, "on/off: the periodic deadlock check (default on; off is deadlockPeriod=0); also at runtime");
    }

    static FeatureSwitches fromOptions(AgentOptions o) {
        FeatureSwitches s = new FeatureSwitches();
        s.state.put(LOCKS, o.flag(LOCKS, o.flag("locks.instrument", true)));
        s.state.put(POOLS, o.flag(POOLS, o.flag("pools.instrument", true)));
        s.state.put(JFR, o.flag(JFR, o.flag("locks.jfr", true)));
        s.state.put(DEADLOCKS, o.flag(DEADLOCKS, !"0".equals(o.get("deadlockPeriod", "500").trim())));
        return s;
    }

    public boolean on(String name) {
        return state.getOrDefault(name, false);
    }

    void set(String name, boolean on) {
        state.put(name, on);
    }

    /** The switches named in {@code options} (a re-attach), with their requested values. */
    static Map<String, Boolean> requested(AgentOptions options) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (String name : NAMES) {
            if (options.has(name)) {
                out.put(name, options.flag(name, true));
            }
        }
        return out;
    }

    /**
     * The changes a {@code features} command asks for: every key must be a switch name and every value a boolean
     * (or on/off); anything else is refused whole, naming the problem.
     */
    static Map<String, Boolean> requested(Map<String, Object> args) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : args.entrySet()) {
            if (!NAMES.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown switch '" + e.getKey() + "' (known: " + String.join(", ", NAMES) + ")");
            }
            Object v = e.getValue();
            Boolean b = v instanceof Boolean x ? x : v instanceof String t ? parse(t) : null;
            if (b == null) {
                throw new IllegalArgumentException("switch " + e.getKey() + " must be true or false, not " + v);
            }
            out.put(e.getKey(), b);
        }
        return out;
    }

    private static Boolean parse(String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            default -> null;
        };
    }

    /** {@code {"locks": true, "pools": true, "jfr": true, "deadlocks": true}} */
    public void write(JsonWriter w) {
        w.beginObject();
        for (String name : NAMES) {
            w.field(name, on(name));
        }
        w.endObject();
    }
}
