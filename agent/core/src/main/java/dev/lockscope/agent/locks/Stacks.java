package dev.lockscope.agent.locks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stack formatting and a capped, deduplicated stack counter. Not thread-safe: owned by {@link LockTable},
 * whose monitor guards it.
 */
final class Stacks {
    static final int MAX_DEPTH = 40;

    private Stacks() {}

    /** Frames of a captured throwable, without the bridge's own frames, at most {@link #MAX_DEPTH}. */
    static String[] frames(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        List<String> out = new ArrayList<>();
        for (StackTraceElement e : st) {
            if (out.isEmpty() && e.getClassName().startsWith("dev.lockscope.bridge.") || hidden(e.getClassName())) {
                continue;
            }
            out.add(frame(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber()));
            if (out.size() == MAX_DEPTH) {
                break;
            }
        }
        return out.toArray(new String[0]);
    }

    static String[] frames(StackTraceElement[] st) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement e : st) {
            if (!hidden(e.getClassName())) {
                out.add(frame(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber()));
            }
            if (out.size() == MAX_DEPTH) {
                break;
            }
        }
        return out.toArray(new String[0]);
    }

    /** Lambda proxy frames ({@code Foo$$Lambda$12/0x...run}) say nothing a person needs. */
    static boolean hidden(String className) {
        return className.contains("$$Lambda");
    }

    /** {@code pkg.Outer$Inner.method(Outer.java:12)}, the shape of {@code StackTraceElement.toString()}. */
    static String frame(String className, String method, String file, int line) {
        if (file == null) {
            int dot = className.lastIndexOf('.');
            String simple = className.substring(dot + 1);
            int dollar = simple.indexOf('$');
            file = (dollar > 0 ? simple.substring(0, dollar) : simple) + ".java";
        }
        return className + "." + method + "(" + file + (line >= 0 ? ":" + line : "") + ")";
    }

    /**
     * Where the lock is taken, in words a person recognises: the first frame outside the synchronizer
     * machinery, shortened to {@code Class.method:line}.
     */
    static String callSite(String[] frames) {
        if (frames == null) {
            return null;
        }
        for (String f : frames) {
            if (f.startsWith("java.util.concurrent.locks.") || f.startsWith("java.lang.Thread.")
                    || f.startsWith("java.lang.Object.wait") || f.startsWith("jdk.internal.")
                    || f.startsWith("java.lang.VirtualThread.")) {
                continue;
            }
            return shortFrame(f);
        }
        return frames.length > 0 ? shortFrame(frames[0]) : null;
    }

    static String shortFrame(String f) {
        int paren = f.indexOf('(');
        String head = paren < 0 ? f : f.substring(0, paren);
        int methodDot = head.lastIndexOf('.');
        int classDot = methodDot <= 0 ? -1 : head.lastIndexOf('.', methodDot - 1);
        String cls = head.substring(classDot + 1);
        String line = "";
        if (paren >= 0) {
            int colon = f.lastIndexOf(':');
            if (colon > paren) {
                line = ":" + f.substring(colon + 1, f.length() - 1);
            }
        }
        return cls + line;
    }

    /** Counts distinct stacks (at most {@code cap}; further new stacks are counted as {@link #overflow}). */
    static final class Counter {
        private final int cap;
        private final Map<List<String>, long[]> counts = new HashMap<>();
        long overflow;

        Counter(int cap) {
            this.cap = cap;
        }

        void add(String[] frames, long weightNs) {
            List<String> key = Arrays.asList(frames);
            long[] c = counts.get(key);
            if (c == null) {
                if (counts.size() >= cap) {
                    overflow++;
                    return;
                }
                c = new long[2];
                counts.put(key, c);
            }
            c[0]++;
            c[1] += weightNs;
        }

        boolean isEmpty() {
            return counts.isEmpty();
        }

        /** The {@code n} heaviest stacks: entries {frames, count, weightNs}. */
        List<Map.Entry<List<String>, long[]>> top(int n) {
            List<Map.Entry<List<String>, long[]>> all = new ArrayList<>(counts.entrySet());
            all.sort(Comparator.comparingLong((Map.Entry<List<String>, long[]> e) -> e.getValue()[1])
                    .thenComparingLong(e -> e.getValue()[0]).reversed());
            return all.subList(0, Math.min(n, all.size()));
        }
    }
}
