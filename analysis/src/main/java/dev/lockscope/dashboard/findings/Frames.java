package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Picks the frames of a stack that point at the user's code (the JDK's own frames say little about a fix). */
final class Frames {
    private Frames() {}

    static boolean isJdk(String frame) {
        String f = withoutModule(frame);
        return f.startsWith("java.") || f.startsWith("jdk.") || f.startsWith("sun.")
                || f.startsWith("javax.") || f.startsWith("com.sun.");
    }

    /** {@code java.base/java.lang.Thread.run(...)} → {@code java.lang.Thread.run(...)} (StackTraceElement adds
     * the class loader and module names before the class when there are any). */
    static String withoutModule(String frame) {
        int paren = frame.indexOf('(');
        int slash = frame.lastIndexOf('/', paren < 0 ? frame.length() : paren);
        return slash < 0 ? frame : frame.substring(slash + 1);
    }

    /** Up to {@code n} application frames from the top of {@code frames}, joined as "a ← b ← c". */
    static String appFrames(JsonNode frames, int n) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : frames) {
            String s = withoutModule(f.asText());
            if (!isJdk(s) && !s.contains("$$Lambda")) {
                out.add(s);
                if (out.size() == n) {
                    break;
                }
            }
        }
        return String.join(" ← ", out);
    }

    /** The heaviest stack (by weight) of a lock's {@code waiterStacks}/{@code ownerStacks}, or an empty array. */
    static JsonNode heaviest(JsonNode stacks) {
        JsonNode best = null;
        for (JsonNode s : stacks) {
            if (best == null || s.path("weightNs").asLong() > best.path("weightNs").asLong()) {
                best = s;
            }
        }
        return best == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : best.path("frames");
    }
}
