package dev.lockscope.agent.vthreads;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.Feature;
import dev.lockscope.agent.FeatureSwitches;
import dev.lockscope.protocol.JsonWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;

/**
 * Virtual threads pinned to their carrier while blocking, from JFR's {@code jdk.VirtualThreadPinned} (JDK 21+).
 * Aggregated by the frame that pins (a class initializer or a native frame under the block), with cumulative
 * counts and durations in the sample's {@code pinning} section. Events arrive about a second late (JFR flush).
 */
public final class PinningWatch implements Feature {
    /** JFR's own default threshold for the event; shorter pins are harmless and would cost more to record. */
    static final long DEFAULT_THRESHOLD_MS = 20;
    static final int MAX_SITES = 200;
    static final int MAX_FRAMES = 24;

    private final Map<String, Site> sites = new ConcurrentHashMap<>();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private final AtomicLong droppedSites = new AtomicLong();
    private volatile boolean supported;
    private long thresholdMs = DEFAULT_THRESHOLD_MS;
    private RecordingStream stream;
    private Thread streamThread;

    /** One pinning site: where, how often, for how long, and one full stack for evidence. */
    private static final class Site {
        final String frame;
        final List<String> stack;
        final AtomicLong count = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();
        final AtomicLong maxNanos = new AtomicLong();

        Site(String frame, List<String> stack) {
            this.frame = frame;
            this.stack = stack;
        }
    }

    @Override
    public String name() {
        return "pinning";
    }

    @Override
    public void start(AgentContext ctx) {
        thresholdMs = ctx.options().millis("pinning.threshold", DEFAULT_THRESHOLD_MS);
        if (Runtime.version().feature() < 21) {
            return; // no virtual threads before 21: report unsupported, cost nothing
        }
        supported = true;
        if (ctx.switches().on(FeatureSwitches.JFR)) {
            startStream();
        }
    }

    private void startStream() {
        stream = new RecordingStream();
        stream.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ofMillis(thresholdMs)).withStackTrace();
        stream.onEvent("jdk.VirtualThreadPinned", this::record);
        streamThread = AgentContext.startThread("pinning-jfr", stream::start);
    }

    /** The {@code jfr} switch starts and stops the stream (serialised by the runtime, never concurrent). */
    @Override
    public void setSwitch(String name, boolean on) {
        if (!FeatureSwitches.JFR.equals(name) || !supported) {
            return;
        }
        if (on && stream == null) {
            startStream();
        } else if (!on) {
            stop();
        }
    }

    private void record(RecordedEvent e) {
        long nanos = e.getDuration().toNanos();
        events.incrementAndGet();
        totalNanos.addAndGet(nanos);
        List<String> stack = new ArrayList<>();
        String pinning = null;
        if (e.getStackTrace() != null) {
            for (RecordedFrame f : e.getStackTrace().getFrames()) {
                String frame = format(f);
                if (stack.size() < MAX_FRAMES) {
                    stack.add(frame);
                }
                if (pinning == null && pinsHere(f)) {
                    pinning = frame;
                }
            }
        }
        if (pinning == null) {
            pinning = stack.isEmpty() ? "unknown" : stack.get(0);
        }
        Site site = sites.get(pinning);
        if (site == null) {
            if (sites.size() >= MAX_SITES) {
                droppedSites.incrementAndGet();
                return;
            }
            site = sites.computeIfAbsent(pinning, k -> new Site(k, List.copyOf(stack)));
        }
        site.count.incrementAndGet();
        site.nanos.addAndGet(nanos);
        site.maxNanos.accumulateAndGet(nanos, Math::max);
    }

    /** The frame that keeps the virtual thread on its carrier: a class initializer, or a native frame of the app. */
    static boolean pinsHere(RecordedFrame f) {
        String method = f.getMethod().getName();
        if ("<clinit>".equals(method)) {
            return true;
        }
        String type = f.getMethod().getType().getName();
        return f.isJavaFrame() && "Native".equals(f.getType()) && !type.startsWith("java.") && !type.startsWith("jdk.")
                && !type.startsWith("sun.");
    }

    static String format(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName()
                + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "") + ("Native".equals(f.getType()) ? " (native)" : "");
    }

    @Override
    public void writeSample(JsonWriter w) {
        w.field("supported", supported).field("thresholdMs", thresholdMs).field("events", events.get())
                .field("totalPinnedMs", totalNanos.get() / 1_000_000).field("droppedSites", droppedSites.get());
        w.name("sites").beginArray();
        sites.values().stream().sorted(Comparator.comparingLong((Site s) -> s.nanos.get()).reversed()).limit(10)
                .forEach(s -> w.beginObject().field("frame", s.frame).field("count", s.count.get())
                        .field("totalMs", s.nanos.get() / 1_000_000).field("maxMs", s.maxNanos.get() / 1_000_000)
                        .field("stack", s.stack).endObject());
        w.endArray();
    }

    @Override
    public void stop() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
        if (streamThread != null) {
            try {
                streamThread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            streamThread = null;
        }
    }
}
