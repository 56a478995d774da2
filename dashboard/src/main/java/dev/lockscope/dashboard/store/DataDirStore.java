package dev.lockscope.dashboard.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures as plain files under a data directory:
 * <pre>
 * &lt;dir&gt;/index.json                   every capture: kind, id, jvmId, ts, bytes, files (rewritten atomically)
 * &lt;dir&gt;/&lt;kind&gt;/&lt;id&gt;/meta.json        kind, id, jvmId, ts and the capture's metadata
 * &lt;dir&gt;/&lt;kind&gt;/&lt;id&gt;/&lt;payload&gt;        payload files, e.g. dump.txt, collapsed.txt, profile.jfr
 * </pre>
 * Pruned after each put, at start and every minute: captures older than {@code maxAge} go first, then the
 * oldest ones until the total is at most {@code maxBytes}. A missing or unreadable index is rebuilt from the
 * {@code meta.json} files, so a damaged index loses nothing.
 *
 * <p>Thread-safety: all state and file writes are guarded by this object's monitor; entries are immutable.
 */
public final class DataDirStore implements CaptureStore {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirStore.class);
    /** Kinds, ids and payload names become path segments: nothing that could climb out of the directory. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final String INDEX = "index.json";
    static final String META = "meta.json";

    private final Path dir;
    private final Duration maxAge;
    private final long maxBytes;
    private final LongSupplier clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<BiConsumer<String, String>> prunedListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService pruner;

    /** Opens (creating if needed) the store at {@code dir}, loads its index and prunes it to the limits. */
    public static DataDirStore open(Path dir, Duration maxAge, long maxBytes) {
        return new DataDirStore(dir, maxAge, maxBytes, System::currentTimeMillis, true);
    }

    DataDirStore(Path dir, Duration maxAge, long maxBytes, LongSupplier clock, boolean background) {
        this.dir = dir;
        this.maxAge = maxAge;
        this.maxBytes = maxBytes;
        this.clock = clock;
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                ownerOnly(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir + ": " + e.getMessage(), e);
        }
        load();
        prune();
        if (background) {
            pruner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "data-dir-pruner");
                t.setDaemon(true);
                return t;
            });
            pruner.scheduleWithFixedDelay(this::prune, 60, 60, TimeUnit.SECONDS);
        } else {
            pruner = null;
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public synchronized void put(String kind, String id, String jvmId, long ts, ObjectNode meta, Map<String, byte[]> payloads) {
        requireSafe(kind, "kind");
        requireSafe(id, "id");
        payloads.keySet().forEach(n -> requireSafe(n, "payload name"));
        Path d = dir.resolve(kind).resolve(id);
        try {
            Files.createDirectories(d);
            long bytes = 0;
            for (Map.Entry<String, byte[]> p : payloads.entrySet()) {
                Files.write(d.resolve(p.getKey()), p.getValue());
                bytes += p.getValue().length;
            }
            ObjectNode m = Json.MAPPER.createObjectNode().put("kind", kind).put("id", id).put("jvmId", jvmId).put("ts", ts);
            m.set("meta", meta);
            byte[] metaBytes = Json.MAPPER.writeValueAsBytes(m);
            Files.write(d.resolve(META), metaBytes);
            bytes += metaBytes.length;
            entries.put(key(kind, id), new Entry(kind, id, jvmId, ts, bytes, List.copyOf(payloads.keySet()), meta.deepCopy()));
            writeIndex();
        } catch (IOException e) {
            LOG.warn("could not store {} {} in {}: {}", kind, id, dir, e.toString());
            return;
        }
        prune();
    }

    @Override
    public synchronized List<Entry> list(String kind) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.kind().equals(kind)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong(Entry::ts));
        return out;
    }

    @Override
    public byte[] payload(Entry entry, String name) {
        requireSafe(name, "payload name");
        try {
            return Files.readAllBytes(dir.resolve(entry.kind()).resolve(entry.id()).resolve(name));
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized void delete(String kind, String id) {
        if (entries.remove(key(kind, id)) != null) {
            removeFiles(kind, id);
            writeIndex();
        }
    }

    @Override
    public void onPruned(BiConsumer<String, String> listener) {
        prunedListeners.add(listener);
    }

    /** Total size of the stored captures, as counted against {@code maxBytes}. */
    public synchronized long totalBytes() {
        return entries.values().stream().mapToLong(Entry::bytes).sum();
    }

    /** Removes captures older than {@code maxAge}, then the oldest until the total fits {@code maxBytes}. */
    public void prune() {
        List<Entry> removed = new ArrayList<>();
        synchronized (this) {
            long cutoff = clock.getAsLong() - maxAge.toMillis();
            List<Entry> byAge = new ArrayList<>(entries.values());
            byAge.sort(Comparator.comparingLong(Entry::ts));
            long total = byAge.stream().mapToLong(Entry::bytes).sum();
            for (Entry e : byAge) {
                if (e.ts() >= cutoff && total <= maxBytes) {
                    break;
                }
                entries.remove(key(e.kind(), e.id()));
                removeFiles(e.kind(), e.id());
                total -= e.bytes();
                removed.add(e);
            }
            if (!removed.isEmpty()) {
                writeIndex();
            }
        }
        for (Entry e : removed) {
            for (BiConsumer<String, String> l : prunedListeners) {
                l.accept(e.kind(), e.id());
            }
        }
    }

    @Override
    public void close() {
        if (pruner != null) {
            pruner.shutdownNow();
        }
    }

    private void load() {
        Path index = dir.resolve(INDEX);
        if (Files.exists(index)) {
            try {
                for (JsonNode e : Json.MAPPER.readTree(index.toFile()).path("captures")) {
                    Entry entry = read(dir.resolve(e.path("kind").asText()).resolve(e.path("id").asText()), e.path("bytes").asLong());
                    if (entry != null) {
                        entries.put(key(entry.kind(), entry.id()), entry);
                    }
                }
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("the index {} is unreadable ({}); rebuilding it from the captures' meta.json files", index, e.toString());
                entries.clear();
            }
        }
        try (Stream<Path> metas = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals(META))) {
            metas.forEach(m -> {
                Entry entry = read(m.getParent(), -1);
                if (entry != null) {
                    entries.put(key(entry.kind(), entry.id()), entry);
                }
            });
        } catch (IOException e) {
            LOG.warn("could not scan {}: {}", dir, e.toString());
        }
        writeIndex();
    }

    /** Reads one capture directory; null (and logged) when its meta.json is missing or damaged. */
    private Entry read(Path d, long knownBytes) {
        try {
            JsonNode m = Json.MAPPER.readTree(d.resolve(META).toFile());
            List<String> files = new ArrayList<>();
            long bytes = Files.size(d.resolve(META));
            try (Stream<Path> list = Files.list(d)) {
                for (Path p : list.toList()) {
                    if (!p.getFileName().toString().equals(META)) {
                        files.add(p.getFileName().toString());
                        bytes += Files.size(p);
                    }
                }
            }
            ObjectNode meta = m.path("meta").isObject() ? (ObjectNode) m.get("meta") : Json.MAPPER.createObjectNode();
            return new Entry(m.path("kind").asText(), m.path("id").asText(), m.path("jvmId").asText(null),
                    m.path("ts").asLong(), knownBytes >= 0 ? Math.max(knownBytes, bytes) : bytes, List.copyOf(files), meta);
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping the capture in {}: {}", d, e.toString());
            return null;
        }
    }

    private void writeIndex() {
        ObjectNode root = Json.MAPPER.createObjectNode().put("version", 1);
        ArrayNode a = root.putArray("captures");
        for (Entry e : entries.values()) {
            ObjectNode o = a.addObject().put("kind", e.kind()).put("id", e.id()).put("jvmId", e.jvmId())
                    .put("ts", e.ts()).put("bytes", e.bytes());
            e.files().forEach(o.putArray("files")::add);
        }
        Path tmp = dir.resolve(INDEX + ".tmp");
        try {
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try {
                Files.move(tmp, dir.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("could not write {}: {}", dir.resolve(INDEX), e.toString());
        }
    }

    private void removeFiles(String kind, String id) {
        Path d = dir.resolve(kind).resolve(id);
        try (Stream<Path> files = Files.walk(d)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", d, e.toString());
        }
    }

    /** Thread dumps and profiles show code, thread names and arguments: a new data directory is the owner's alone. */
    private static void ownerOnly(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: it keeps its own default permissions
        }
    }

    private static String key(String kind, String id) {
        return kind + "/" + id;
    }

    private static void requireSafe(String s, String what) {
        if (s == null || !SAFE.matcher(s).matches()) {
            throw new IllegalArgumentException("unsafe " + what + " '" + s + "' for the data directory");
        }
    }

    /** A file-name-safe form of any id (JVM ids contain ':'), stable for the same input. */
    public static String safeId(String raw) {
        String s = raw.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0))) {
            s = "x" + s;
        }
        if (s.equals(raw) && s.length() <= 128) {
            return s;
        }
        // Changed or shortened: the hash of the original keeps two different ids apart.
        return (s.length() > 100 ? s.substring(0, 100) : s) + "-" + Integer.toHexString(raw.hashCode());
    }
}
