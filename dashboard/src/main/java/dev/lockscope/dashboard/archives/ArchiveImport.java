package dev.lockscope.dashboard.archives;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.profiles.ProfileService;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Loads an incident archive ({@code java -jar lockscope-agent.jar capture …}) into the dashboard as a JVM of its
 * own, read-only: its recorded samples and events are replayed through the same registry, so the findings
 * engine, the lock, pool and thread views see exactly what a live dashboard would have seen; its thread dumps
 * become captures, and its cpu and lock flame graphs finished profiles. The session is marked as an archive: nothing can be asked of it.
 */
public final class ArchiveImport {
    /** The capture's flame graphs, by profile event (written by the agent's {@code capture} package). */
    private static final List<String> PROFILE_EVENTS = List.of("cpu", "lock");
    private static final String PROFILE_JFR = "profiles/profile.jfr";

    /** Uncompressed bytes read from one archive at most (a zip bomb must not fill the heap). */
    static final long MAX_UNCOMPRESSED = 256L * 1024 * 1024;

    /** What was loaded, and what could not be (a partial archive's truncated last line, say). */
    public record Loaded(JvmSession session, boolean alreadyLoaded, int samples, int events, int threadDumps,
                         int profiles, List<String> problems) {}

    private ArchiveImport() {}

    /** Reads {@code zip} (named {@code name} for people) into {@code registry}; a bad archive is an IllegalArgumentException. */
    public static Loaded load(String name, byte[] zip, JvmRegistry registry, ThreadCaptures captures,
                              ProfileService profiles) throws IOException {
        Map<String, byte[]> files = unzip(name, zip);
        byte[] messages = files.get("messages.jsonl");
        if (messages == null) {
            throw new IllegalArgumentException(name + " is not a lockscope capture archive (it has no messages.jsonl)");
        }
        List<String> problems = new ArrayList<>();
        String[] lines = new String(messages, StandardCharsets.UTF_8).split("\n");
        JsonNode hello = parse(lines[0]);
        if (hello == null || !"hello".equals(hello.path("type").asText()) || !hello.path("identity").isObject()) {
            throw new IllegalArgumentException(name + ": messages.jsonl does not start with the agent's hello");
        }
        JsonNode manifest = files.containsKey("capture.json") ? parse(new String(files.get("capture.json"), StandardCharsets.UTF_8)) : null;
        if (manifest == null) {
            problems.add("capture.json missing or unreadable: no thread dumps loaded");
            manifest = Json.MAPPER.createObjectNode();
        }
        JsonNode identity = hello.path("identity");
        String id = "archive:" + identity.path("jvmId").asText("?") + ":" + manifest.path("startedAt").asLong();
        if (registry.get(id) != null) {
            return new Loaded(registry.get(id), true, 0, 0, 0, 0, List.of());
        }

        List<Item> items = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode m = parse(lines[i]);
            if (m == null) {
                problems.add("messages.jsonl line " + (i + 1) + " is not JSON (a capture cut short?); skipped");
                continue;
            }
            String type = m.path("type").asText();
            if (type.equals("sample") || type.equals("event")) {
                items.add(new Item(m.path("ts").asLong(), i, m, null, null));
            }
        }
        int dumpOrder = lines.length;
        for (JsonNode d : manifest.path("threadDumps")) {
            byte[] json = files.get(d.path("json").asText());
            if (json == null) {
                problems.add("thread dump " + d.path("json").asText() + " is missing; skipped");
                continue;
            }
            JsonNode dump = parse(new String(json, StandardCharsets.UTF_8));
            if (!(dump instanceof ObjectNode o)) {
                problems.add("thread dump " + d.path("json").asText() + " is not JSON; skipped");
                continue;
            }
            byte[] text = files.get(d.path("text").asText());
            if (text != null) {
                o.put("text", new String(text, StandardCharsets.UTF_8));
            }
            items.add(new Item(d.path("ts").asLong(o.path("ts").asLong()), dumpOrder++, null, o, d.path("label").asText("capture")));
        }
        items.sort(Comparator.comparingLong(Item::ts).thenComparingInt(Item::order));

        long endedAt = manifest.path("endedAt").asLong(System.currentTimeMillis());
        JvmSession session = registry.openArchive(id, identity, endedAt, name);
        if (session == null) {
            throw new IllegalArgumentException(name + ": another JVM here has the id " + id);
        }
        int samples = 0;
        int events = 0;
        int dumps = 0;
        for (Item it : items) {
            if (it.dump() != null) {
                captures.add(id, it.dump(), it.trigger());
                dumps++;
            } else if (it.message().path("type").asText().equals("sample")) {
                registry.sampleArrived(session, new JvmSession.Sample(it.message().path("seq").asLong(), it.ts(),
                        it.message().path("body")));
                samples++;
            } else {
                registry.eventArrived(session, new JvmSession.Event(it.message().path("kind").asText(),
                        it.message().path("seq").asLong(), it.ts(), it.message().path("body")));
                events++;
            }
        }
        int graphs = 0;
        JsonNode figures = manifest.path("profile");
        for (String event : PROFILE_EVENTS) {
            byte[] collapsed = files.get("profiles/" + event + ".collapsed");
            if (collapsed != null) {
                profiles.addArchived(id, identity.path("name").asText(id), event, figures.path("engine").asText(null),
                        figures.path("engineNote").isTextual() ? figures.path("engineNote").asText() : null,
                        manifest.path("startedAt").asLong(), endedAt, collapsed, files.getOrDefault(PROFILE_JFR, new byte[0]));
                graphs++;
            }
        }
        manifest.path("problems").forEach(p -> problems.add("capture: " + p.asText()));
        return new Loaded(session, false, samples, events, dumps, graphs, problems);
    }

    /** A sample or event ({@code message}) or a thread dump ({@code dump}), in recording order. */
    private record Item(long ts, int order, JsonNode message, ObjectNode dump, String trigger) {}

    private static Map<String, byte[]> unzip(String name, byte[] zip) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        long total = 0;
        boolean any = false;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                any = true;
                String n = e.getName();
                // Only what the dashboard shows (and the profiler's recording, downloadable with its flame graphs):
                // the JFR recording and the report stay in the archive for other tools.
                if (e.isDirectory() || !(n.endsWith(".json") || n.endsWith(".jsonl") || n.endsWith(".txt")
                        || n.endsWith(".collapsed") || n.equals(PROFILE_JFR))) {
                    continue;
                }
                byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_UNCOMPRESSED - total + 1));
                total += b.length;
                if (total > MAX_UNCOMPRESSED) {
                    throw new IllegalArgumentException(name + " unpacks to more than " + MAX_UNCOMPRESSED / (1024 * 1024)
                            + " MB; refused");
                }
                files.put(n, b);
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(name + " is not a readable zip archive: " + e.getMessage());
        }
        if (!any) {
            throw new IllegalArgumentException(name + " is not a zip archive (or is empty)");
        }
        return files;
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
