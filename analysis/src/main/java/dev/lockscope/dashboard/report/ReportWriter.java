package dev.lockscope.dashboard.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.locks.LockService;
import dev.lockscope.dashboard.pools.PoolService;
import dev.lockscope.dashboard.profiles.FlameGraphs;
import dev.lockscope.dashboard.threads.CaptureJson;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes what lockscope knows about one JVM as a self-contained HTML report — it opens from the file system
 * with no server and no network — plus the raw files beside it.
 *
 * <p>Safety: all data reaches the page as one JSON document inside a {@code <script type="application/json">}
 * block (with {@code <}, {@code >}, {@code &} and line separators escaped, so no string can close the block), and
 * the page's script inserts every value with {@code textContent}. A Content-Security-Policy allows only the page's
 * own inline scripts, by hash; flame graphs are async-profiler's viewer in {@code srcdoc} frames, whose scripts
 * are allowed by hash too (a frame made from {@code srcdoc} inherits the page's policy). Styles may be inline (the
 * flame graph viewer uses style attributes); styles cannot run code.
 */
public final class ReportWriter {
    /** File name of the report inside the directory {@link #write} fills. */
    public static final String REPORT = "report.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final String TEMPLATE = resource("/report/report.html");
    private static final String SCRIPT_JS = resource("/report/report.js");
    private static final String STYLE_CSS = resource("/report/report.css");

    /** A flame graph for the report: a short file-safe {@code name} ("cpu", "lock"), a title, collapsed stacks. */
    public record FlameGraph(String name, String title, byte[] collapsed) {}

    private ReportWriter() {}

    /**
     * Writes {@code dir/report.html} and the raw files beside it: {@code findings.json}, {@code locks.json},
     * {@code pools.json}, {@code jvm.json}, {@code threads/<capture>.txt} (the JVM's own {@code jcmd Thread.print}
     * text, when the dump has it) and {@code .json}, {@code profiles/<name>.collapsed} and {@code .html}. Files the
     * caller already put in {@code dir} (a {@code .jfr}, say) are listed in the report too. Returns the report.
     */
    public static Path write(OfflineJvm jvm, List<FlameGraph> flameGraphs, Path dir) throws IOException {
        Files.createDirectories(dir.resolve("threads"));
        ObjectNode data = data(jvm, flameGraphs);
        write(dir.resolve("findings.json"), data.get("findings").toPrettyString());
        write(dir.resolve("locks.json"), data.get("locks").toPrettyString());
        write(dir.resolve("pools.json"), data.get("pools").toPrettyString());
        write(dir.resolve("jvm.json"), data.get("jvm").toPrettyString());
        for (ThreadCaptures.Capture c : jvm.captures().captures(jvm.session().id())) {
            write(dir.resolve("threads").resolve(c.id() + ".json"), CaptureJson.full(c).toPrettyString());
            if (c.text() != null) {
                write(dir.resolve("threads").resolve(c.id() + ".txt"), c.text());
            }
        }
        if (!flameGraphs.isEmpty()) {
            Files.createDirectories(dir.resolve("profiles"));
        }
        for (FlameGraph f : flameGraphs) {
            Files.write(dir.resolve("profiles").resolve(f.name() + ".collapsed"), f.collapsed());
            write(dir.resolve("profiles").resolve(f.name() + ".html"), FlameGraphs.html(f.title(), f.collapsed()));
        }
        List<String> raw = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.equals(REPORT)).sorted().forEach(raw::add);
        }
        ArrayNode rawJson = data.putArray("rawFiles");
        raw.forEach(rawJson::add);
        Path report = dir.resolve(REPORT);
        write(report, page(data, flameGraphs));
        return report;
    }

    /** The report alone, as one HTML document (the {@code report} command's {@code -o file.html}). */
    public static String html(OfflineJvm jvm, List<FlameGraph> flameGraphs) {
        ObjectNode data = data(jvm, flameGraphs);
        data.putArray("rawFiles");
        return page(data, flameGraphs);
    }

    /** Everything the page shows, as JSON. */
    static ObjectNode data(OfflineJvm jvm, List<FlameGraph> flameGraphs) {
        JvmSession s = jvm.session();
        ObjectNode d = Json.MAPPER.createObjectNode().put("generatedAt", System.currentTimeMillis());
        ObjectNode identity = s.identity() == null ? Json.MAPPER.createObjectNode() : s.identity().deepCopy();
        identity.put("id", s.id());
        d.set("jvm", identity);
        ArrayNode notes = d.putArray("notes");
        jvm.notes().forEach(notes::add);
        List<ThreadCaptures.Capture> captures = new ArrayList<>(jvm.captures().captures(s.id()));
        java.util.Collections.reverse(captures); // oldest first: the order they were taken in
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        List<JvmSession.Sample> samples = s.samplesSince(Long.MIN_VALUE);
        if (!samples.isEmpty()) {
            from = samples.get(0).ts();
            to = samples.get(samples.size() - 1).ts();
        }
        for (ThreadCaptures.Capture c : captures) {
            from = Math.min(from, c.ts());
            to = Math.max(to, c.ts());
        }
        if (from == Long.MAX_VALUE) {
            from = to = System.currentTimeMillis();
        }
        d.putObject("span").put("fromMs", from).put("toMs", to);
        d.set("findings", jvm.findings().findings(s.id()));
        long window = Math.max(1000, to - from + 1000);
        d.set("locks", new LockService().ranking(s, window));
        d.set("pools", PoolService.view(s, window, to));
        ArrayNode caps = d.putArray("captures");
        for (ThreadCaptures.Capture c : captures) {
            ObjectNode full = CaptureJson.full(c);
            full.put("text", c.text());
            caps.add(full);
        }
        if (captures.size() >= 2) {
            d.set("stuck", CaptureJson.compare(captures.get(0), captures.get(captures.size() - 1)));
        }
        ArrayNode deadlocks = d.putArray("deadlocks");
        jvm.captures().deadlocks(s.id()).forEach(x -> deadlocks.add(CaptureJson.deadlock(x)));
        ArrayNode fgs = d.putArray("flameGraphs");
        for (FlameGraph f : flameGraphs) {
            fgs.addObject().put("name", f.name()).put("title", f.title());
        }
        return d;
    }

    private static String page(ObjectNode data, List<FlameGraph> flameGraphs) {
        Set<String> hashes = new LinkedHashSet<>();
        hashes.add(sha256(SCRIPT_JS));
        ArrayNode pages = data.withArray("flameGraphs");
        for (int i = 0; i < flameGraphs.size(); i++) {
            String html;
            try {
                html = FlameGraphs.html(flameGraphs.get(i).title(), flameGraphs.get(i).collapsed());
            } catch (IllegalArgumentException e) {
                ((ObjectNode) pages.get(i)).put("error", e.getMessage());
                continue;
            }
            Matcher m = SCRIPT.matcher(html);
            while (m.find()) {
                hashes.add(sha256(m.group(1)));
            }
            ((ObjectNode) pages.get(i)).put("html", html);
        }
        String csp = "default-src 'none'; script-src " + String.join(" ", hashes.stream().map(h -> "'sha256-" + h + "'").toList())
                + "; style-src 'unsafe-inline'; img-src data:; frame-src 'self' about:; base-uri 'none'; form-action 'none'";
        JsonNode title = data.path("jvm").path("name");
        return fill(TEMPLATE, java.util.Map.of("csp", csp, "title", escapeHtml("lockscope report: " + title.asText("JVM")),
                "style", STYLE_CSS, "data", scriptSafe(data.toString()), "script", SCRIPT_JS));
    }

    /** Replaces each {@code {{key}}} of the template in one pass, so a value that contains "{{x}}" stays as it is. */
    static String fill(String template, java.util.Map<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() + 1024);
        int i = 0;
        while (true) {
            int open = template.indexOf("{{", i);
            int close = open < 0 ? -1 : template.indexOf("}}", open);
            if (close < 0) {
                return out.append(template, i, template.length()).toString();
            }
            String key = template.substring(open + 2, close);
            out.append(template, i, open).append(values.getOrDefault(key, "{{" + key + "}}"));
            i = close + 2;
        }
    }

    /** JSON that cannot end its {@code <script>} block or open a comment, and keeps its meaning. */
    static String scriptSafe(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }

    static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path p, String s) throws IOException {
        Files.writeString(p, s, StandardCharsets.UTF_8);
    }

    private static String resource(String name) {
        try (InputStream in = ReportWriter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
