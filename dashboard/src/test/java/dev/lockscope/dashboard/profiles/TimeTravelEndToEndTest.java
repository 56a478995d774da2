package dev.lockscope.dashboard.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time travel on one real JVM: the cache-stampede sample runs broken for a while and then fixes itself
 * ({@code --fix-after}); nobody starts a profile for the stampede. Afterwards, everything is read back from the
 * agent's always-on recording: the finding's lock flame graph, a control window after the fix, a JFR snapshot.
 * The JVM also runs the user's own {@code -XX:StartFlightRecording} and one on-demand async-profiler capture.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimeTravelEndToEndTest {
    private static final String LOCK_PATH = "CacheStampede$PriceCache.priceUnderLock";
    private static final int FIX_AFTER_S = 14;

    @TempDir
    static Path tmp;
    private RunningDashboard dashboard;
    private ChildJvm app;
    private String jvm;
    private JsonNode finding;
    private long fixedAt;
    private JsonNode profile;
    private boolean samplingPausedDuringProfile;

    @BeforeAll
    void aStampedeHappensAndEnds() throws Exception {
        dashboard = RunningDashboard.start(DashboardConfig.defaults().withPort(0).withFindingsWindow(Duration.ofSeconds(4)));
        app = ChildJvm.sample("cache-stampede", "--fix-after=" + FIX_AFTER_S, "--ttl=1500", "--load=300", "--readers=12", "--keys=2")
                .jvmArg("-XX:StartFlightRecording=name=mine,settings=default,filename=" + tmp.resolve("mine.jfr"))
                .agent("dashboard=" + dashboard.agentUrl() + ",name=prices").start();
        AtomicReference<String> id = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode j = dashboard.jvmByPid(app.pid());
            if (j != null && j.path("features").toString().contains("recording")) {
                id.set(j.path("id").asText());
            }
            return id.get() != null;
        });
        jvm = URLEncoder.encode(id.get(), StandardCharsets.UTF_8);
        // Meanwhile an on-demand lock profile (async-profiler) runs beside the always-on recording.
        HttpResponse<String> started = dashboard.post("/api/jvms/" + jvm + "/profiles", "{\"event\":\"lock\",\"duration\":4}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        String profileId = Json.MAPPER.readTree(started.body()).path("id").asText();
        long until = System.currentTimeMillis() + 4_000;
        while (!samplingPausedDuringProfile && System.currentTimeMillis() < until) {
            samplingPausedDuringProfile = dashboard.get("/api/jvms/" + jvm).at("/sample/recording/samplingPaused").asBoolean();
            Thread.sleep(200);
        }
        fixedAt = Long.parseLong(app.awaitLine("cache-stampede: fixed at (\\d+)", Duration.ofSeconds(60)).group(1));
        profile = dashboard.get("/api/profiles/" + profileId);
        AtomicReference<JsonNode> f = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (JsonNode x : dashboard.get("/api/jvms/" + jvm + "/findings")) {
                if (x.path("kind").asText().equals("cache-stampede")) {
                    f.set(x);
                    return true;
                }
            }
            return false;
        });
        finding = f.get();
        // A control window with no stampede: the fixed read path for a few seconds after the fix.
        Thread.sleep(Math.max(0, fixedAt + 9_000 - System.currentTimeMillis()));
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void theStampedesFindingLinksALockFlameGraphOfItsWindowDominatedByTheCacheLockWhileALaterWindowHasNone() throws Exception {
        JsonNode t = finding.path("timeTravel");
        long from = t.path("fromMs").asLong();
        long to = t.path("toMs").asLong();
        assertThat(from).isLessThan(fixedAt);
        assertThat(t.path("lockFlameGraph").asText()).isEqualTo("/api/jvms/" + jvm + "/recording/html?event=lock&from=" + from + "&to=" + to);
        assertThat(t.path("cpuFlameGraph").asText()).isEqualTo("/api/jvms/" + jvm + "/recording/html?event=cpu&from=" + from + "&to=" + to);

        HttpResponse<String> html = dashboard.getRaw(t.path("lockFlameGraph").asText());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(html.body()).contains("Lock flame graph of prices").contains("always-on recording");

        long[] stampede = share(collapsed("lock", from, Math.min(to, fixedAt)));
        System.out.printf("stampede window %d..%d: %d of %d lock samples on the cache's lock path%n", from,
                Math.min(to, fixedAt), stampede[0], stampede[1]);
        assertThat(stampede[1]).isGreaterThanOrEqualTo(10);
        assertThat((double) stampede[0] / stampede[1]).isGreaterThan(0.8);

        long[] control = share(collapsed("lock", fixedAt + 2_000, fixedAt + 8_000));
        System.out.printf("control window after the fix: %d of %d lock samples on the cache's lock path%n", control[0], control[1]);
        assertThat(control[0]).isZero();
    }

    @Test
    void theFindingLinksTheThreadDumpTakenWhenItOpened() throws Exception {
        AtomicReference<String> dump = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (JsonNode x : dashboard.get("/api/jvms/" + jvm + "/findings")) {
                if (x.path("id").equals(finding.path("id")) && x.at("/timeTravel/threadDump").isTextual()) {
                    dump.set(x.at("/timeTravel/threadDump").asText());
                }
            }
            return dump.get() != null;
        });
        JsonNode capture = dashboard.get("/api/threaddumps/" + dump.get());
        // This finding's own dump, or one taken for an earlier opening within seconds (a finding that flapped).
        assertThat(capture.path("trigger").asText()).matches("finding f\\d+ \\(cache-stampede\\) opened");
        assertThat(Math.abs(capture.path("ts").asLong() - finding.path("startedAt").asLong())).isLessThan(10_000);
        assertThat(capture.path("threads").toString()).contains("price-reader-0");
    }

    @Test
    void aJfrSnapshotOfTheStampedeWindowParsesAndHoldsItsContentionEvents() throws Exception {
        long from = finding.at("/timeTravel/fromMs").asLong();
        long to = Math.min(finding.at("/timeTravel/toMs").asLong(), fixedAt);
        HttpResponse<String> created = dashboard.post("/api/jvms/" + jvm + "/snapshots",
                "{\"from\":" + from + ",\"to\":" + to + ",\"finding\":\"" + finding.path("id").asText() + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode s = Json.MAPPER.readTree(created.body());
        assertThat(s.path("kind").asText()).isEqualTo("jfr-snapshot");
        assertThat(s.path("findingId").asText()).isEqualTo(finding.path("id").asText());
        HttpResponse<byte[]> jfr = dashboard.getBytes(s.at("/links/jfr").asText());
        assertThat(jfr.statusCode()).isEqualTo(200);
        assertThat(jfr.headers().firstValue("Content-Disposition").orElse("")).contains("attachment").contains(".jfr");
        assertThat((long) jfr.body().length).isEqualTo(s.path("sizeBytes").asLong());
        Path file = tmp.resolve("snapshot.jfr");
        Files.write(file, jfr.body());

        int contended = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            long t = e.getStartTime().toEpochMilli();
            if ((type.equals("jdk.ThreadPark") || type.equals("jdk.JavaMonitorEnter")) && t >= from && t <= to
                    && e.getStackTrace() != null && e.getStackTrace().getFrames().stream().anyMatch(TimeTravelEndToEndTest::onLockPath)) {
                contended++;
            }
        }
        System.out.println("snapshot " + s.path("sizeBytes").asLong() + " bytes, exact=" + s.path("exact")
                + ", contended parks on the cache lock in the window: " + contended);
        assertThat(contended).isGreaterThanOrEqualTo(10);

        Process summary = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(), "summary",
                file.toString()).redirectErrorStream(true).start();
        String out = new String(summary.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(summary.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(summary.exitValue()).as(out).isZero();
        assertThat(out).contains("jdk.ThreadPark");
    }

    @Test
    void theUsersOwnFlightRecordingKeepsRunningAndWritesItsOwnFile() throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String check = run(jcmd, String.valueOf(app.pid()), "JFR.check");
        assertThat(check).contains("name=mine").contains("name=lockscope-always-on");
        Path mine = tmp.resolve("mine-dump.jfr");
        run(jcmd, String.valueOf(app.pid()), "JFR.dump", "name=mine", "filename=" + mine);
        long cpuLoad = RecordingFile.readAllEvents(mine).stream()
                .filter(e -> e.getEventType().getName().equals("jdk.CPULoad")).count();
        // default.jfc records jdk.CPULoad once a second: the user's own settings still apply, for the whole run.
        assertThat(cpuLoad).isGreaterThanOrEqualTo(FIX_AFTER_S);
    }

    @Test
    void anOnDemandAsyncProfilerCaptureRanBesideTheRecording() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                !dashboard.get("/api/profiles/" + profile.path("id").asText()).path("status").asText().equals("running"));
        JsonNode p = dashboard.get("/api/profiles/" + profile.path("id").asText());
        assertThat(p.path("status").asText()).as(p.toString()).isEqualTo("done");
        assertThat(p.path("engine").asText()).isEqualTo("async-profiler");
        // The recording's execution samples paused while it ran (JFR's suspend signal would show in its stacks)...
        assertThat(samplingPausedDuringProfile).isTrue();
        // ... and resumed after.
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !dashboard.get("/api/jvms/" + jvm).at("/sample/recording/samplingPaused").asBoolean(true));
    }

    @Test
    void aSnapshotAroundAMomentCoversTheSecondsAroundItAndIsListed() throws Exception {
        long at = fixedAt - 3_000;
        HttpResponse<String> created = dashboard.post("/api/jvms/" + jvm + "/snapshots", "{\"at\":" + at + ",\"seconds\":4}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode s = Json.MAPPER.readTree(created.body());
        assertThat(s.path("fromMs").asLong()).isEqualTo(at - 2_000);
        assertThat(s.path("toMs").asLong()).isEqualTo(at + 2_000);
        assertThat(s.path("findingId").isNull()).isTrue();
        assertThat(dashboard.get("/api/jvms/" + jvm + "/snapshots").findValuesAsText("id")).contains(s.path("id").asText());
        assertThat(dashboard.get("/api/snapshots/" + s.path("id").asText()).path("sizeBytes").asLong()).isPositive();
    }

    @Test
    void badWindowsAreRefusedWithTheReason() throws Exception {
        HttpResponse<String> r = dashboard.getRaw("/api/jvms/" + jvm + "/recording/flamegraph?event=lock&from=20&to=10");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("from must be positive and before to");
        r = dashboard.getRaw("/api/jvms/" + jvm + "/recording/flamegraph?event=alloc&from=10&to=20");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("event must be cpu or lock");
    }

    private static boolean onLockPath(RecordedFrame f) {
        return f.getMethod() != null && (f.getMethod().getType().getName() + "." + f.getMethod().getName())
                .endsWith(LOCK_PATH);
    }

    private String collapsed(String event, long from, long to) throws Exception {
        HttpResponse<String> r = dashboard.getRaw("/api/jvms/" + jvm + "/recording/collapsed?event=" + event + "&from=" + from + "&to=" + to);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    /** {samples whose stack passes through the cache's lock path, all samples}. */
    private static long[] share(String collapsed) {
        long on = 0;
        long all = 0;
        for (String line : collapsed.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            long n = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            all += n;
            if (line.contains(LOCK_PATH)) {
                on += n;
            }
        }
        return new long[] {on, all};
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
