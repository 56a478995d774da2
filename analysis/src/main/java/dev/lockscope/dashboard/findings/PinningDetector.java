package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Virtual-thread pinning: virtual threads blocking while pinned to their carrier, from the agent's
 * {@code pinning} section (JFR {@code jdk.VirtualThreadPinned}), per pinning frame over a window.
 */
final class PinningDetector implements Detector {
    /** A few pins are normal (a rare class init); repeated ones are the problem. */
    static final long MIN_PINS = Thresholds.whole("pinning.minPins", 3);
    /** Below this much pinned time per window the carriers are barely affected. */
    static final long MIN_PINNED_MS = Thresholds.whole("pinning.minPinnedMs", 100);

    /** The window judged (default 10 s: JFR delivers pins about a second late; a real problem recurs within it). */
    private final long windowMs;

    PinningDetector(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public String kind() {
        return "virtual-thread-pinning";
    }

    @Override
    public List<Detection> detect(JvmSession jvm, long nowMs) {
        JvmSession.Sample latest = jvm.latest();
        if (latest == null || !latest.body().path("pinning").path("supported").asBoolean()) {
            return List.of();
        }
        JvmSession.Sample base = jvm.sampleAtOrBefore(nowMs - windowMs);
        Map<String, JsonNode> before = new HashMap<>();
        if (base != null && base != latest) {
            base.body().path("pinning").path("sites").forEach(s -> before.put(s.path("frame").asText(), s));
        }
        int carriers = latest.body().path("vitals").path("cpu").path("availableProcessors").asInt(0);
        List<Detection> out = new ArrayList<>();
        for (JsonNode site : latest.body().path("pinning").path("sites")) {
            String frame = site.path("frame").asText();
            JsonNode b = before.get(frame);
            long pins = site.path("count").asLong() - (b == null ? 0 : b.path("count").asLong());
            long pinnedMs = site.path("totalMs").asLong() - (b == null ? 0 : b.path("totalMs").asLong());
            if (pins < MIN_PINS || pinnedMs < MIN_PINNED_MS) {
                continue;
            }
            boolean clinit = frame.contains(".<clinit>");
            String owner = frame.contains(".<clinit>") ? frame.substring(0, frame.indexOf(".<clinit>")) : frame;
            Evidence ev = new Evidence().window(Math.max(base == null ? nowMs : base.ts(), nowMs - windowMs), nowMs)
                    .link("threads", null, "Thread dumps");
            ev.node().put("frame", frame).put("pins", pins).put("pinnedMs", pinnedMs)
                    .put("maxPinMs", site.path("maxMs").asLong()).put("carriers", carriers)
                    .put("thresholdMs", latest.body().path("pinning").path("thresholdMs").asLong())
                    .set("stack", site.path("stack"));
            String why = clinit
                    ? "they block inside the class initializer of " + owner + " (" + frame + ")"
                    : "they block under the native frame " + frame;
            out.add(new Detection(frame, Severity.WARNING,
                    "Virtual threads pinned in " + frame,
                    "Virtual threads were pinned to their carrier threads " + pins + " times in the last "
                            + windowMs / 1000 + " s (" + pinnedMs + " ms in all, longest " + site.path("maxMs").asLong()
                            + " ms) because " + why + ". A pinned virtual thread that blocks keeps its carrier, an OS "
                            + "thread, occupied while it waits, so the scheduler's few carriers (" + (carriers > 0 ? carriers : "one per core")
                            + " here) serve all other virtual threads one blocking call at a time. Since JDK 24 synchronized "
                            + "no longer pins; blocking inside a class initializer or under a native or foreign-function "
                            + "frame still does.",
                    clinit
                            ? "Move the blocking work out of the static initializer of " + owner + ": keep <clinit> to "
                                    + "cheap assignments and do the slow part lazily on first use (outside <clinit>), or "
                                    + "initialise " + owner + " once at start-up on a platform thread."
                            : "Avoid blocking inside the native or foreign call at " + frame + ": return to Java before "
                                    + "waiting, or run that call on a small pool of platform threads.",
                    ev.node()));
        }
        return out;
    }
}
