package dev.lockscope.agent;

import dev.lockscope.bridge.LockBridge;
import dev.lockscope.protocol.JsonWriter;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps the agent's recording cost bounded when the application's lock-wait rate spikes. Once a second it is told
 * how many j.u.c. waits reached the bridge ({@link #tick}); above the budget it sheds detail one level at a time,
 * and relaxes one level after {@link #RELAX_AFTER_SECONDS} seconds in a row under half the budget:
 * <ol start="0">
 *   <li>everything is recorded (stacks within the usual per-second budget);</li>
 *   <li>no stacks: capturing a stack is the dearest thing the advice does on an application thread;</li>
 *   <li>also no individual record of waits shorter than {@code governor.shedThreshold}: they are only counted
 *       ({@code LockBridge.shed()}), so lock totals undercount by them, and the sample's
 *       {@code locks.coverage.instrumentedThresholdMs} says so.</li>
 * </ol>
 * Each change is sent as a {@code governor} event; the state is in the sample's {@code agent.governor}.
 *
 * <p>Time comes in as an argument (the caller's clock), so the rules are tested without sleeping. Thread-safety:
 * {@link #tick} is called by one thread (the locks drain thread); {@link #write} from the sampler reads volatiles.
 */
public final class OverheadGovernor {
    static final int MAX_LEVEL = 2;
    static final int RELAX_AFTER_SECONDS = 3;
    static final long DEFAULT_BUDGET = 20_000;
    static final long DEFAULT_SHED_THRESHOLD_MS = 1;

    private final long budgetPerSec;
    private final long shedThresholdNanos;
    private final BiConsumer<String, Consumer<JsonWriter>> events;
    private volatile int level;
    private volatile long ratePerSec;
    private volatile long since;
    private volatile long changes;
    private int quietSeconds;

    static void describeOptions(Map<String, String> known) {
        known.put("governor.maxWaitsPerSec", "lock waits recorded per second above which the agent sheds detail (default "
                + DEFAULT_BUDGET + "; 0 = never)");
        known.put("governor.shedThreshold", "at the governor's second level, waits shorter than this are only counted (default "
                + DEFAULT_SHED_THRESHOLD_MS + "ms)");
    }

    OverheadGovernor(AgentOptions o, BiConsumer<String, Consumer<JsonWriter>> events) {
        this(o.number("governor.maxWaitsPerSec", DEFAULT_BUDGET), o.millis("governor.shedThreshold", DEFAULT_SHED_THRESHOLD_MS),
                events);
    }

    OverheadGovernor(long budgetPerSec, long shedThresholdMs, BiConsumer<String, Consumer<JsonWriter>> events) {
        this.budgetPerSec = Math.max(0, budgetPerSec);
        this.shedThresholdNanos = shedThresholdMs * 1_000_000;
        this.events = events;
        apply(0);
    }

    /** One second's count of waits offered to the bridge (recorded, dropped or shed), at {@code nowMs}. */
    public void tick(long offeredPerSec, long nowMs) {
        ratePerSec = offeredPerSec;
        if (budgetPerSec == 0) {
            return;
        }
        if (offeredPerSec > budgetPerSec) {
            quietSeconds = 0;
            if (level < MAX_LEVEL) {
                change(level + 1, "raised", nowMs);
            }
        } else if (level > 0 && offeredPerSec < budgetPerSec / 2 && ++quietSeconds >= RELAX_AFTER_SECONDS) {
            quietSeconds = 0;
            change(level - 1, "relaxed", nowMs);
        }
    }

    public int level() {
        return level;
    }

    /** Shortest wait recorded individually now, in ms (0 = all). */
    public long thresholdMs() {
        return level >= 2 ? shedThresholdNanos / 1_000_000 : 0;
    }

    private void change(int to, String action, long nowMs) {
        level = to;
        since = nowMs;
        changes++;
        apply(to);
        long rate = ratePerSec;
        events.accept("governor", b -> b.field("action", action).field("level", to).field("ratePerSec", rate)
                .field("budgetPerSec", budgetPerSec).field("detail", detail(to)));
    }

    private void apply(int to) {
        LockBridge.shedStacks = to >= 1;
        LockBridge.minRecordNanos = to >= 2 ? shedThresholdNanos : 0;
    }

    /** Puts the bridge back to recording everything (detach, or the lock instrumentation switched off). */
    public void reset() {
        level = 0;
        quietSeconds = 0;
        apply(0);
    }

    private String detail(int l) {
        return switch (l) {
            case 0 -> "recording everything";
            case 1 -> "shedding detail: no stacks";
            default -> "shedding detail: no stacks; waits under " + shedThresholdNanos / 1_000_000 + " ms only counted";
        };
    }

    /** The sample's {@code agent.governor}. */
    public void write(JsonWriter w) {
        int l = level;
        w.beginObject().field("level", l).field("state", l == 0 ? "normal" : "shedding").field("detail", detail(l))
                .field("budgetPerSec", budgetPerSec).field("ratePerSec", ratePerSec).field("stacks", l < 1)
                .field("thresholdMs", thresholdMs()).field("since", since).field("changes", changes)
                .field("shedWaits", LockBridge.shed()).endObject();
    }
}
