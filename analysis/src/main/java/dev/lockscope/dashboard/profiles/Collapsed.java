package dev.lockscope.dashboard.profiles;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collapsed stacks ({@code frame;frame;frame count} per line, root first) as a tree of frames with sample
 * counts. Frames keep async-profiler's type annotations ({@code _[j]}, {@code _[i]}, {@code _[k]}, ...) in
 * {@link Node#type}, stripped from {@link Node#name}. Immutable after {@link #parse}.
 */
final class Collapsed {
    /** Frame types, as indexes into async-profiler's viewer palette. */
    static final int INTERPRETED = 0;
    static final int JIT = 1;
    static final int INLINED = 2;
    static final int NATIVE = 3;
    static final int CPP = 4;
    static final int KERNEL = 5;
    static final int C1 = 6;

    static final class Node {
        final String name;
        final int type;
        long total;
        long self;
        final TreeMap<String, Node> children = new TreeMap<>();

        Node(String name, int type) {
            this.name = name;
            this.type = type;
        }

        Node child(String frame) {
            Node c = children.get(frame);
            if (c == null) {
                c = new Node(stripAnnotation(frame), typeOf(frame));
                children.put(frame, c);
            }
            return c;
        }

        int depth() {
            int d = 0;
            for (Node c : children.values()) {
                d = Math.max(d, c.depth());
            }
            return d + 1;
        }
    }

    final Node root = new Node("all", NATIVE);
    long lines;

    /** Parses collapsed text; a line that does not end in a count is an error naming the line. */
    static Collapsed parse(byte[] text) {
        Collapsed c = new Collapsed();
        String s = new String(text, StandardCharsets.UTF_8);
        int start = 0;
        int lineNo = 0;
        while (start < s.length()) {
            int end = s.indexOf('\n', start);
            if (end < 0) {
                end = s.length();
            }
            lineNo++;
            String line = s.substring(start, end).strip();
            start = end + 1;
            if (line.isEmpty()) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            long count;
            try {
                count = sp <= 0 ? -1 : Long.parseLong(line.substring(sp + 1));
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 0) {
                throw new IllegalArgumentException("collapsed line " + lineNo + " does not end in a sample count");
            }
            c.add(line.substring(0, sp).split(";"), count);
            c.lines++;
        }
        return c;
    }

    private void add(String[] frames, long count) {
        Node n = root;
        n.total += count;
        for (String f : frames) {
            n = n.child(f);
            n.total += count;
        }
        n.self += count;
    }

    /** Self samples per frame name, over the whole tree. */
    Map<String, Long> selfByFrame() {
        Map<String, Long> out = new TreeMap<>();
        collectSelf(root, out);
        return out;
    }

    private static void collectSelf(Node n, Map<String, Long> out) {
        if (n.self > 0) {
            out.merge(n.name, n.self, Long::sum);
        }
        for (Node c : n.children.values()) {
            collectSelf(c, out);
        }
    }

    /** Samples of stacks that contain a frame whose name contains {@code text} (each stack counted once). */
    long samplesThrough(String text) {
        long sum = 0;
        for (Node c : root.children.values()) {
            sum += through(c, text);
        }
        return sum;
    }

    private static long through(Node n, String text) {
        if (n.name.contains(text)) {
            return n.total;
        }
        long sum = 0;
        for (Node c : n.children.values()) {
            sum += through(c, text);
        }
        return sum;
    }

    static String stripAnnotation(String frame) {
        if (frame.length() > 4 && frame.endsWith("]") && frame.charAt(frame.length() - 4) == '_'
                && frame.charAt(frame.length() - 3) == '[') {
            return frame.substring(0, frame.length() - 4);
        }
        return frame;
    }

    static int typeOf(String frame) {
        if (frame.endsWith("_[j]")) {
            return JIT;
        } else if (frame.endsWith("_[i]")) {
            return INLINED;
        } else if (frame.endsWith("_[k]")) {
            return KERNEL;
        } else if (frame.endsWith("_[0]")) {
            return INTERPRETED;
        } else if (frame.endsWith("_[1]")) {
            return C1;
        } else if (frame.startsWith("[") && frame.endsWith("]")) {
            return INTERPRETED; // [thread name] roots: a neutral colour
        } else if (frame.contains("::") || frame.startsWith("-[") || frame.startsWith("+[")) {
            return CPP;
        }
        return NATIVE;
    }

    /** Frames of the tree in depth-first order, for tests and summaries. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        walk(root, out);
        return out;
    }

    private static void walk(Node n, List<String> out) {
        out.add(n.name);
        for (Node c : n.children.values()) {
            walk(c, out);
        }
    }
}
