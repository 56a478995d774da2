package dev.lockscope.dashboard.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where captures outlive the dashboard process: thread dumps, profiles, findings history, known JVMs (and any
 * other {@code kind} a capability adds). Each capture is a kind, an id, the JVM it belongs to, a time, a small
 * metadata JSON object and named payload files. {@link DataDirStore} keeps them in a directory;
 * {@link Disabled#INSTANCE} keeps nothing (the dashboard then holds its captures in memory only).
 *
 * <p>Thread-safety: implementations are safe for concurrent use; entries are immutable.
 */
public interface CaptureStore {
    /** A stored capture: {@code bytes} is its size on disk (metadata and payloads), {@code files} its payload names. */
    record Entry(String kind, String id, String jvmId, long ts, long bytes, List<String> files, ObjectNode meta) {}

    /** Stores (or replaces) a capture, then prunes to the limits. Failures are logged, never thrown: the capture stays in memory. */
    void put(String kind, String id, String jvmId, long ts, ObjectNode meta, Map<String, byte[]> payloads);

    /** Captures of {@code kind}, oldest first. */
    List<Entry> list(String kind);

    /** One payload file of a capture, or null when it is not there. */
    byte[] payload(Entry entry, String name);

    void delete(String kind, String id);

    /** Called with (kind, id) for each capture removed by pruning, so its owner forgets it too. */
    void onPruned(BiConsumer<String, String> listener);

    /** Stops background pruning. */
    void close();

    /** Persistence off: nothing is stored, nothing is listed. */
    enum Disabled implements CaptureStore {
        INSTANCE;

        @Override
        public void put(String kind, String id, String jvmId, long ts, ObjectNode meta, Map<String, byte[]> payloads) {}

        @Override
        public List<Entry> list(String kind) {
            return List.of();
        }

        @Override
        public byte[] payload(Entry entry, String name) {
            return null;
        }

        @Override
        public void delete(String kind, String id) {}

        @Override
        public void onPruned(BiConsumer<String, String> listener) {}

        @Override
        public void close() {}
    }
}
