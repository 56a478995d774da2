package dev.lockscope.dashboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockscope.dashboard.jvms.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory on real files, with a clock the test moves. */
class DataDirStoreTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    private DataDirStore open(Path dir, Duration maxAge, long maxBytes) {
        return new DataDirStore(dir, maxAge, maxBytes, now::get, false);
    }

    private static void put(DataDirStore s, String id, long ts, int payloadBytes) {
        s.put("threaddump", id, "host:1:2", ts, Json.MAPPER.createObjectNode().put("trigger", "manual"),
                Map.of("dump.txt", new byte[payloadBytes]));
    }

    @Test
    void aCaptureIsPlainFilesPlusAnIndexAndIsReadBackByANewStore(@TempDir Path dir) throws Exception {
        DataDirStore s = open(dir, Duration.ofDays(7), 1 << 30);
        s.put("profile", "prof-1-x", "host:1:2", now.get(), Json.MAPPER.createObjectNode().put("event", "cpu"),
                Map.of("collapsed.txt", "a;b 3\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(dir.resolve("index.json")).exists();
        assertThat(dir.resolve("profile/prof-1-x/meta.json")).exists();
        assertThat(Files.readString(dir.resolve("profile/prof-1-x/collapsed.txt"))).isEqualTo("a;b 3\n");

        DataDirStore again = open(dir, Duration.ofDays(7), 1 << 30);
        List<CaptureStore.Entry> list = again.list("profile");
        assertThat(list).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo("prof-1-x");
            assertThat(e.jvmId()).isEqualTo("host:1:2");
            assertThat(e.meta().path("event").asText()).isEqualTo("cpu");
            assertThat(new String(again.payload(e, "collapsed.txt"), StandardCharsets.UTF_8)).isEqualTo("a;b 3\n");
        });
    }

    @Test
    void aNewDataDirectoryIsReadableByItsOwnerOnly(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("data");
        open(dir, Duration.ofDays(7), 1 << 30);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void capturesOlderThanTheMaximumAgeArePrunedAndTheirOwnersTold(@TempDir Path dir) {
        DataDirStore s = open(dir, Duration.ofHours(1), 1 << 30);
        List<String> pruned = new ArrayList<>();
        s.onPruned((kind, id) -> pruned.add(kind + "/" + id));
        put(s, "td1", now.get(), 10);
        now.addAndGet(Duration.ofMinutes(40).toMillis());
        put(s, "td2", now.get(), 10);
        now.addAndGet(Duration.ofMinutes(30).toMillis()); // td1 is 70 min old, td2 30 min

        s.prune();

        assertThat(s.list("threaddump")).extracting(CaptureStore.Entry::id).containsExactly("td2");
        assertThat(pruned).containsExactly("threaddump/td1");
        assertThat(dir.resolve("threaddump/td1")).doesNotExist();
    }

    @Test
    void beyondTheSizeLimitTheOldestCapturesGoFirst(@TempDir Path dir) {
        DataDirStore s = open(dir, Duration.ofDays(7), 2_500);
        put(s, "td1", now.get(), 1_000);
        put(s, "td2", now.get() + 1, 1_000);
        assertThat(s.list("threaddump")).hasSize(2);

        put(s, "td3", now.get() + 2, 1_000); // three payloads of 1,000 bytes plus metadata exceed 2,500

        assertThat(s.list("threaddump")).extracting(CaptureStore.Entry::id).containsExactly("td2", "td3");
        assertThat(s.totalBytes()).isLessThanOrEqualTo(2_500);
        assertThat(dir.resolve("threaddump/td1")).doesNotExist();
    }

    @Test
    void aDamagedIndexIsRebuiltFromTheCapturesMetadata(@TempDir Path dir) throws Exception {
        DataDirStore s = open(dir, Duration.ofDays(7), 1 << 30);
        put(s, "td1", now.get(), 10);
        put(s, "td2", now.get() + 1, 10);
        Files.writeString(dir.resolve("index.json"), "{not json");

        DataDirStore again = open(dir, Duration.ofDays(7), 1 << 30);

        assertThat(again.list("threaddump")).extracting(CaptureStore.Entry::id).containsExactly("td1", "td2");
        assertThat(Files.readString(dir.resolve("index.json"))).contains("\"td1\"").contains("\"td2\"");
    }

    @Test
    void namesThatCouldLeaveTheDirectoryAreRefused(@TempDir Path dir) {
        DataDirStore s = open(dir, Duration.ofDays(7), 1 << 30);
        assertThatThrownBy(() -> put(s, "../escape", now.get(), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsafe id");
        assertThat(DataDirStore.safeId("host:123:456")).isEqualTo("host_123_456-" + Integer.toHexString("host:123:456".hashCode()));
    }
}
