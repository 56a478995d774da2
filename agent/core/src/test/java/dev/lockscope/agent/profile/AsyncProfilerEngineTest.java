package dev.lockscope.agent.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import one.profiler.AsyncProfiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engines in this very JVM: async-profiler from the bundled library, and JFR, both into collapsed stacks. */
class AsyncProfilerEngineTest {
    static volatile long sink;

    static long burnForTest(long rounds) {
        long h = 7;
        for (long i = 0; i < rounds; i++) {
            h = 31 * h + (i ^ (h >>> 5));
        }
        return h;
    }

    private static Thread burner(long millis) {
        Thread t = new Thread(() -> {
            long end = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < end) {
                sink += burnForTest(100_000);
            }
        }, "test-burner");
        t.start();
        return t;
    }

    @Test
    void asyncProfilerLoadsFromTheAgentsOwnCopyAndItsJfrOutputBecomesCollapsedStacks(@TempDir Path dir) throws Exception {
        assertThat(AsyncProfilerEngine.platformTag()).isEqualTo("linux-x64");
        AsyncProfilerEngine engine = AsyncProfilerEngine.open(null);
        assertThat(AsyncProfilerEngine.foreignCopy(null)).as("our own copy is not someone else's").isNull();

        ProfileRequest r = ProfileRequest.parse(Map.of("event", "cpu", "durationMs", 1500L));
        Path jfr = dir.resolve("cpu.jfr");
        engine.start(r, jfr);
        burner(1500).join();
        engine.stop();

        JfrCollapsed.Result result = JfrCollapsed.convert(jfr, r);
        String text = new String(result.text(), StandardCharsets.UTF_8);
        assertThat(result.samples()).isGreaterThan(5); // 10 ms interval; a loaded 2-core box gives the burner little CPU
        assertThat(text).containsPattern("dev\\.lockscope\\.agent\\.profile\\.AsyncProfilerEngineTest\\.burnForTest_\\[[j01i]]");
        long burning = text.lines().filter(l -> l.contains("burnForTest")).mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat((double) burning / result.samples()).isGreaterThan(0.5);
    }

    @Test
    void jfrEngineRecordsTheSameWorkload(@TempDir Path dir) throws Exception {
        JfrEngine engine = new JfrEngine();
        ProfileRequest r = ProfileRequest.parse(Map.of("event", "cpu", "durationMs", 1500L, "threads", "test-burner", "byThread", true));
        Path jfr = dir.resolve("cpu.jfr");
        engine.start(r, jfr);
        burner(1500).join();
        engine.stop();
        String text = new String(JfrCollapsed.convert(jfr, r).text(), StandardCharsets.UTF_8);
        assertThat(text.lines()).isNotEmpty().allMatch(l -> l.startsWith("[test-burner];"));
        assertThat(text).contains("AsyncProfilerEngineTest.burnForTest");
    }

    /**
     * The dashboard draws every flame graph with async-profiler's viewer, kept as a resource with its data cut
     * out. This fails when an async-profiler upgrade changes the viewer, so the resource is refreshed with it.
     */
    @Test
    void dashboardsViewerTemplateIsThisAsyncProfilersOwnHtmlOutput(@TempDir Path dir) throws Exception {
        AsyncProfilerEngine.open(null);
        AsyncProfiler p = AsyncProfiler.getInstance();
        p.execute("start,event=cpu,interval=1ms");
        burner(300).join();
        p.execute("stop");
        String own = p.execute("flamegraph");
        String template = Files.readString(Path.of("../../analysis/src/main/resources/profiles/flamegraph-template.html"));
        String ownViewer = viewer(own).replaceAll("Array\\(\\d+\\)", "Array(N)").replaceAll("#canvas \\{width: 100%; height: \\d+px}", "#canvas {width: 100%; height: Hpx}");
        String ourViewer = viewer(template).replace("Array({{depth}})", "Array(N)").replace("#canvas {width: 100%; height: {{height}}px}", "#canvas {width: 100%; height: Hpx}");
        assertThat(ourViewer).isEqualTo(ownViewer);
    }

    /** From the style sheet to the start of the data section, without the title. */
    private static String viewer(String html) {
        int end = html.indexOf("const cpool = [");
        String s = html.substring(html.indexOf("<style>"), end >= 0 ? end : html.indexOf("{{data}}"));
        return s.replaceAll("<h1>[^<]*</h1>", "<h1/>");
    }

    @Test
    void arrayClassNamesAreShownAsJavaWritesThem() {
        assertThat(JfrCollapsed.readableClass("[B")).isEqualTo("byte[]");
        assertThat(JfrCollapsed.readableClass("[[Ljava.lang.String;")).isEqualTo("java.lang.String[][]");
        assertThat(JfrCollapsed.readableClass("java.util.HashMap")).isEqualTo("java.util.HashMap");
        assertThat(JfrCollapsed.clean("a;b\nc")).isEqualTo("a:b c");
    }
}
