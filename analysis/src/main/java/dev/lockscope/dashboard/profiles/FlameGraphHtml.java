package dev.lockscope.dashboard.profiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a flame graph as a self-contained HTML page in async-profiler's own viewer (zoom on click, reset,
 * search with the matched percentage, tooltips with samples and percent, frame types coloured). The viewer is
 * async-profiler 4.3's HTML output kept as a resource ({@code profiles/flamegraph-template.html}); this class
 * only writes its data section (a prefix-compressed string pool and one call per frame), the same format
 * async-profiler's own converter writes, so it works for captures of either engine and for differential
 * graphs.
 *
 * <p>Frame names reach the page only as JavaScript string literals, escaped here (quotes, backslashes,
 * {@code <}, line breaks), and the viewer draws them on a canvas and puts them in {@code textContent} and the
 * canvas' {@code title}: a frame name with HTML in it is shown as text.
 */
final class FlameGraphHtml {
    private static final String TEMPLATE = load();
    private static final String PALETTE_START = "const palette = [";

    private FlameGraphHtml() {}

    private static String load() {
        try (InputStream in = FlameGraphHtml.class.getResourceAsStream("/profiles/flamegraph-template.html")) {
            if (in == null) {
                throw new IllegalStateException("profiles/flamegraph-template.html missing from the dashboard jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A flame graph of one capture. */
    static String render(String title, Collapsed c) {
        return page(title, c, null, TEMPLATE);
    }

    /**
     * A differential flame graph: the shape (frame widths) of {@code after}; colour by how much each frame's
     * share of all samples changed from {@code before} (orange: grew, blue: shrank, grey: within 0.5 points).
     * The change in percentage points is appended to the frame's title. Stacks that vanished entirely have no
     * width in {@code after} and are listed by the JSON diff instead.
     */
    static String renderDiff(String title, Collapsed before, Collapsed after) {
        String template = TEMPLATE;
        int p = template.indexOf(PALETTE_START);
        int end = template.indexOf("];", p);
        if (p >= 0 && end > p) {
            template = template.substring(0, p) + PALETTE_START + "\n"
                    + "\t\t[0xd8d8d8, 10, 10, 10],\n" // unchanged
                    + "\t\t[0xffd9a8, 0, 0, 0],\n"    // grew a little
                    + "\t\t[0xffa64d, 0, 0, 0],\n"    // grew
                    + "\t\t[0xe66100, 0, 0, 0],\n"    // grew a lot
                    + "\t\t[0xc6dbef, 0, 0, 0],\n"    // shrank a little
                    + "\t\t[0x6baed6, 0, 0, 0],\n"    // shrank
                    + "\t\t[0x2166ac, 0, 0, 0],\n"    // shrank a lot
                    + "\t\t[0xe66100, 0, 0, 0],\n"
                    + "\t" + template.substring(end);
        }
        return page(title, after, before, template);
    }

    private static String page(String title, Collapsed c, Collapsed before, String template) {
        Map<String, Integer> pool = new LinkedHashMap<>();
        pool.put("all", 0);
        StringBuilder calls = new StringBuilder(1 << 16);
        long[] left0 = {0};
        emit(c.root, before == null ? null : before.root, 0, 0, c.root.total, before == null ? 0 : before.root.total,
                pool, calls, left0, before != null);
        StringBuilder data = new StringBuilder(calls.length() + pool.size() * 32);
        data.append("const cpool = [\n");
        String prev = "";
        boolean first = true;
        for (String s : pool.keySet()) {
            if (first) {
                data.append(js(s));
                first = false;
            } else {
                int common = 0;
                int max = Math.min(95, Math.min(prev.length(), s.length()));
                while (common < max && prev.charAt(common) == s.charAt(common)) {
                    common++;
                }
                data.append(",\n").append(js((char) (32 + common) + s.substring(common)));
            }
            prev = s;
        }
        data.append("\n];\nunpack(cpool);\n\n").append(calls);
        int depth = Math.max(1, c.root.depth());
        return template.replace("{{title}}", html(title))
                .replace("{{depth}}", Integer.toString(depth))
                .replace("{{height}}", Integer.toString(depth * 16))
                .replace("{{data}}", data);
    }

    /** Writes {@code f(key, level, left - previousLeft, width)} for n and its subtree, children by name. */
    private static void emit(Collapsed.Node n, Collapsed.Node old, int level, long left, long total, long oldTotal,
                             Map<String, Integer> pool, StringBuilder out, long[] left0, boolean diff) {
        String title = n.name;
        int type = n.type;
        if (diff) {
            double after = total == 0 ? 0 : 100.0 * n.total / total;
            double before = old == null || oldTotal == 0 ? 0 : 100.0 * old.total / oldTotal;
            double delta = after - before;
            type = diffClass(delta);
            if (type != 0) {
                title = title + String.format(" [%+.1f pp]", delta);
            }
        }
        Integer idx = pool.get(title);
        if (idx == null) {
            idx = pool.size();
            pool.put(title, idx);
        }
        out.append("f(").append((long) idx << 3 | type).append(',').append(level).append(',')
                .append(left - left0[0]).append(',').append(n.total).append(")\n");
        left0[0] = left;
        long x = left;
        for (Map.Entry<String, Collapsed.Node> e : n.children.entrySet()) {
            Collapsed.Node child = e.getValue();
            Collapsed.Node oldChild = old == null ? null : old.children.get(e.getKey());
            emit(child, oldChild, level + 1, x, total, oldTotal, pool, out, left0, diff);
            x += child.total;
        }
    }

    private static int diffClass(double delta) {
        double a = Math.abs(delta);
        if (a < 0.5) {
            return 0;
        }
        int strength = a < 2 ? 1 : a < 10 ? 2 : 3;
        return delta > 0 ? strength : 3 + strength;
    }

    /** A JavaScript single-quoted string literal that cannot end the script element. */
    static String js(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\'' -> b.append("\\'");
                case '\\' -> b.append("\\\\");
                case '<' -> b.append("\\x3c");
                case '>' -> b.append("\\x3e");
                case '\u2028' -> b.append("\\u2028");
                case '\u2029' -> b.append("\\u2029");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('\'').toString();
    }

    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
