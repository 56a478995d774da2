package dev.lockscope.dashboard.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incident captures of the broken samples, without a dashboard: {@code java -jar lockscope-agent.jar capture <pid>}
 * from outside, and {@code -javaagent:…=capture=…} from start-up. Each capture ends a different way: its time is
 * up (deadlock), Ctrl-C (saturated pool), the JVM exits (cache stampede, stopped with SIGTERM once its finding is in). The archive's report, opened in
 * Chromium from a {@code file://} URL with no server, names the problem with its evidence.
 *
 * <p>A fifth capture's JVM is killed outright (SIGKILL): the CLI archives what the agent had written.
 *
 * <p>The captures run at the same time (started in {@link #captureEverySample}) to keep the suite short;
 * timeouts are generous because the machine is shared with other builds.
 */
class CaptureEndToEndTest {
    static final Duration TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    static Path dir;
    static final List<ChildJvm> jvms = new ArrayList<>();
    static ChildJvm deadlock;
    static ChildJvm deadlockCli;
    static ChildJvm stampede;
    static ChildJvm stampedeCli;
    static ChildJvm pool;
    static ChildJvm poolCli;
    static ChildJvm startup;
    static ChildJvm killed;
    static ChildJvm killedCli;
    static Browser browser;

    static Path zip(String name) {
        return dir.resolve(name + ".zip");
    }

    static ChildJvm started(ChildJvm.Builder b) throws Exception {
        ChildJvm j = b.start();
        jvms.add(j);
        return j;
    }

    static ChildJvm capture(ChildJvm app, String forTime, String name) throws Exception {
        return started(ChildJvm.agentCli("capture", Long.toString(app.pid()), "--for", forTime, "-o", zip(name).toString()));
    }

    @BeforeAll
    static void captureEverySample() throws Exception {
        deadlock = started(ChildJvm.sample("deadlock"));
        stampede = started(ChildJvm.sample("cache-stampede", "--keys=1"));
        // An agent already runs here (no dashboard): the capture is handed to it, and it stays afterwards.
        pool = started(ChildJvm.sample("saturated-pool").agent("dashboard=none"));
        killed = started(ChildJvm.sample("deadlock", "--threads=3"));
        startup = started(ChildJvm.sample("deadlock", "--lock=reentrant").agent("capture=" + zip("startup") + ",for=6s"));
        deadlock.awaitLine("cycle formed at", Duration.ofSeconds(60));
        stampede.awaitLine("started", Duration.ofSeconds(60));
        pool.awaitLine("started", Duration.ofSeconds(60));
        killed.awaitLine("cycle formed at", Duration.ofSeconds(60));
        deadlockCli = capture(deadlock, "6s", "deadlock");
        killedCli = capture(killed, "5m", "killed"); // killed outright (SIGKILL) once the finding is in
        stampedeCli = capture(stampede, "5m", "stampede"); // the JVM is stopped mid-capture once the finding is in
        poolCli = capture(pool, "10m", "pool"); // ended with Ctrl-C once the finding is in
        stampedeCli.awaitLine("lockscope: recording .*cache-stampede", TIMEOUT);
        stampede.process().destroy(); // SIGTERM: the JVM exits normally, running its shutdown hooks
        killedCli.awaitLine("lockscope: recording .*deadlock", TIMEOUT);
        killed.close();
        poolCli.awaitLine("lockscope: recording .*saturated-pool", TIMEOUT);
        poolCli.interrupt();
        for (ChildJvm cli : List.of(deadlockCli, stampedeCli, poolCli, killedCli)) {
            cli.awaitExit(TIMEOUT);
        }
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> Files.exists(zip("startup")));
    }

    @AfterAll
    static void stop() {
        jvms.forEach(ChildJvm::close);
        if (browser != null) {
            browser.close();
        }
    }

    /** One Chromium for the browser tests of this class (its start is slow on a loaded machine). */
    static Browser browser() {
        if (browser == null) {
            browser = Browser.launch();
        }
        return browser;
    }

    @Test
    void capturingTheDeadlockByPidRecordsTheFindingDumpsProfilesAndJfrThenRemovesTheAgent() throws Exception {
        assertThat(deadlockCli.process().exitValue()).as(String.join("\n", deadlockCli.stderr())).isZero();
        assertThat(deadlockCli.stdout()).anyMatch(l -> l.matches("lockscope: recording \\d+ s of 6 s, \\d+ samples, \\d+ events, 1 finding \\(deadlock\\)"))
                .contains("lockscope: wrote " + zip("deadlock") + " (complete)",
                        "lockscope: agent removed from pid " + deadlock.pid() + " (instrumented classes restored, its threads stopped)");

        CaptureArchive a = CaptureArchive.read(zip("deadlock"));
        JsonNode m = a.manifest();
        assertThat(m.path("ended").asText()).isEqualTo("time");
        assertThat(m.path("pid").asLong()).isEqualTo(deadlock.pid());
        assertThat(m.path("agentLoadedBefore").asBoolean()).isFalse();
        assertThat(m.path("endedAt").asLong() - m.path("startedAt").asLong()).isBetween(6_000L, 30_000L);
        assertThat(m.path("findings").toString()).isEqualTo("[\"deadlock\"]");
        assertThat(m.path("problems")).isEmpty();

        List<JsonNode> messages = a.messages();
        assertThat(messages.get(0).path("type").asText()).isEqualTo("hello");
        assertThat(messages.get(0).at("/identity/pid").asLong()).isEqualTo(deadlock.pid());
        assertThat(messages).filteredOn(x -> x.path("type").asText().equals("sample")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(messages).filteredOn(x -> x.path("kind").asText().equals("deadlock")).hasSize(1);

        assertThat(a.dumpText("start")).contains("Found one Java-level deadlock").contains("\"transfer-0\"");
        assertThat(a.dumpText("finding-deadlock")).contains("Found one Java-level deadlock");
        assertThat(a.dumpText("end")).contains("Found one Java-level deadlock");
        assertThat(a.json(a.dumpEntry("end", "json")).path("deadlockedThreadIds")).hasSize(2);
        JsonNode finding = a.json("findings.json").get(0);
        assertThat(finding.path("kind").asText()).isEqualTo("deadlock");
        assertThat(finding.path("explanation").asText()).contains("transfer-0", "transfer-1", "dev.lockscope.samples.Deadlock$Account");
        assertThat(a.entries()).containsKeys("report.html", "profiles/cpu.collapsed", "profiles/cpu.html", "profiles/profile.jfr");
        assertThat(new String(a.entries().get("recording.jfr"), 0, 3)).isEqualTo("FLR");
        assertThat(Files.exists(Path.of(zip("deadlock") + ".parts"))).isFalse();
        assertThat(a.text("report.html")).contains("recording.jfr", "messages.jsonl").doesNotContain("progress.json");

        // the JVM goes on, without the agent
        assertThat(deadlock.isAlive()).isTrue();
        assertThat(deadlock.stderr()).anyMatch(l -> l.startsWith("lockscope: agent detached (the capture into " + zip("deadlock")));
    }

    @Test
    void theArchivesReportOpensFromAFileUrlWithTheDeadlockAndItsEvidence() throws Exception {
        Path html = dir.resolve("deadlock-report.html");
        Files.write(html, CaptureArchive.read(zip("deadlock")).entries().get("report.html"));
        Page page = browser().newPage();
        List<String> requests = new ArrayList<>();
        page.onRequest(r -> requests.add(r.url()));
        page.navigate(html.toUri().toString());
        assertThat(page.locator(".finding.critical .finding-title").textContent()).startsWith("Deadlock: transfer-");
        page.locator(".finding summary").first().click();
        assertThat(page.locator(".finding table").last().textContent()).contains("transfer-1", "Deadlock$Account");
        assertThat(page.locator("#flame-body").textContent()).contains("CPU");
        assertThat(requests).allMatch(u -> u.startsWith("file:") || u.startsWith("about:"));
        Browser.screenshot(page, "capture-report-deadlock.png");
    }

    @Test
    void theStampedeJvmExitingMidCaptureGivesAClearMessageAndAPartialArchiveNamingTheStampede() throws Exception {
        assertThat(stampedeCli.process().exitValue()).isZero();
        assertThat(stampedeCli.stderr()).contains("lockscope: pid " + stampede.pid()
                + " exited during the capture; the archive holds what was recorded until then");
        assertThat(stampedeCli.stdout()).contains("lockscope: wrote " + zip("stampede") + " (partial: the JVM exited during the capture)");
        CaptureArchive a = CaptureArchive.read(zip("stampede"));
        assertThat(a.manifest().path("ended").asText()).isEqualTo("jvm-exit");
        assertThat(a.manifest().path("findings").toString()).contains("\"cache-stampede\"");
        JsonNode finding = first(a.json("findings.json"), "cache-stampede");
        assertThat(finding.path("title").asText()).containsIgnoringCase("stampede");
        assertThat(a.dumpText("start")).contains("\"price-reader-");
        assertThat(a.entries()).containsKeys("report.html", "recording.jfr");
    }

    @Test
    void aJvmKilledOutrightMidCaptureStillLeavesAnArchiveWithAReportOfWhatWasRecorded() throws Exception {
        assertThat(killedCli.process().exitValue()).isZero();
        assertThat(killedCli.stderr()).contains("lockscope: pid " + killed.pid()
                + " exited during the capture; the archive holds what was recorded until then");
        assertThat(killedCli.stdout()).contains("lockscope: wrote " + zip("killed") + " (partial: the JVM ended without finishing the capture)");
        CaptureArchive a = CaptureArchive.read(zip("killed"));
        assertThat(a.manifest().path("ended").asText()).isEqualTo("jvm-gone");
        assertThat(a.manifest().path("problems").get(0).asText()).startsWith("the JVM ended without finishing the capture (killed?)");
        assertThat(a.dumpText("finding-deadlock")).contains("Found one Java-level deadlock");
        assertThat(a.text("report.html")).contains("transfer-2");
        assertThat(a.entries()).doesNotContainKey("profiles/profile.jfr");
    }

    @Test
    void ctrlCEndsTheSaturatedPoolCaptureEarlyWithAValidArchiveAndLeavesTheAgentThatWasThere() throws Exception {
        assertThat(poolCli.process().exitValue()).isEqualTo(ChildJvm.INTERRUPTED_EXIT); // 130 as any program after Ctrl-C
        assertThat(poolCli.stdout()).contains("lockscope: wrote " + zip("pool") + " (ended early)",
                "lockscope: the agent that was already running in pid " + pool.pid() + " keeps running as before");
        CaptureArchive a = CaptureArchive.read(zip("pool"));
        assertThat(a.manifest().path("ended").asText()).isEqualTo("stopped");
        assertThat(a.manifest().path("agentLoadedBefore").asBoolean()).isTrue();
        assertThat(pool.stderr()).noneMatch(l -> l.startsWith("lockscope: agent detached"));
        assertThat(a.manifest().path("endedAt").asLong() - a.manifest().path("startedAt").asLong()).isLessThan(120_000L);
        JsonNode finding = first(a.json("findings.json"), "saturated-pool");
        assertThat(finding.path("explanation").asText()).isNotBlank();
        assertThat(a.dumpText("end")).contains("\"order-producer-");
        assertThat(pool.isAlive()).isTrue();
    }

    @Test
    void theJavaagentCaptureModeRecordsFromStartUpThenRemovesTheAgent() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> startup.stderr().stream().anyMatch(l -> l.startsWith("lockscope: agent detached")));
        assertThat(startup.stderr()).contains("lockscope: capture complete: " + zip("startup"));
        CaptureArchive a = CaptureArchive.read(zip("startup"));
        assertThat(a.manifest().path("ended").asText()).isEqualTo("time");
        assertThat(a.messages().get(0).at("/identity/pid").asLong()).isEqualTo(startup.pid());
        JsonNode finding = first(a.json("findings.json"), "deadlock");
        assertThat(finding.path("explanation").asText()).contains("java.util.concurrent.locks.ReentrantLock");
        assertThat(startup.isAlive()).isTrue();
    }

    @Test
    void theDashboardOpensAnUploadedArchiveReadOnlyWithItsFindingAndThreadDumps() throws Exception {
        try (RunningDashboard d = RunningDashboard.start()) {
            Page page = browser().newPage();
            page.navigate(d.url() + "/");
            page.locator("#archive-file").setInputFiles(zip("deadlock"));
            page.waitForURL(u -> u.contains("#/jvm/archive"), new Page.WaitForURLOptions().setTimeout(30_000));
            assertThat(page.locator("#jvm-state").textContent()).isEqualTo("archive · read-only");
            assertThat(page.locator("#findings-strip .finding.critical .finding-title").textContent()).startsWith("Deadlock: transfer-");
            assertThat(page.locator("#jvm-controls").isHidden()).isTrue();
            page.locator("a[data-tab=threads]").click();
            page.locator("#captures td:has-text('finding-deadlock')").waitFor();
            assertThat(page.locator("#captures").textContent()).contains("start", "end");
            assertThat(page.locator("#take-dump").isHidden()).isTrue();
            Browser.screenshot(page, "capture-archive-in-dashboard.png");

            JsonNode jvm = d.get("/api/jvms").get(0);
            assertThat(jvm.path("archive").asText()).isEqualTo("deadlock.zip");
            assertThat(jvm.path("pid").asLong()).isEqualTo(deadlock.pid());
            String id = java.net.URLEncoder.encode(jvm.path("id").asText(), java.nio.charset.StandardCharsets.UTF_8);
            var refused = d.post("/api/jvms/" + id + "/threaddump", "{}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("capture archive deadlock.zip, shown read-only");

            // Its cpu and lock flame graphs are finished profiles of the archive JVM, with the capture's engine.
            JsonNode figures = CaptureArchive.read(zip("deadlock")).manifest().path("profile");
            JsonNode profiles = d.get("/api/jvms/" + id + "/profiles");
            assertThat(profiles).extracting(p -> p.path("event").asText()).containsExactlyInAnyOrder("cpu", "lock");
            for (JsonNode p : profiles) {
                assertThat(p.path("status").asText()).isEqualTo("done");
                assertThat(p.path("engine").asText()).isEqualTo(figures.path("engine").asText()).isNotBlank();
                assertThat(p.path("samples").asLong()).isEqualTo(figures.path(p.path("event").asText() + "Samples").asLong());
            }
            refused = d.post("/api/jvms/" + id + "/profiles", "{\"event\":\"cpu\",\"duration\":5}");
            assertThat(refused.statusCode()).isEqualTo(503);
            page.locator("a[data-tab=profiles]").click();
            page.locator("#profile-list tr[data-profile-id]").nth(1).waitFor();
            assertThat(page.locator("#profile-form").isHidden()).isTrue();

            // The cpu graph renders in the tab: all its samples at the root, the archive's stacks above it.
            // (A deadlocked sample burns no cpu and its lock waits never end, so its own frames are in neither graph.)
            JsonNode cpu = null;
            for (JsonNode p : profiles) {
                cpu = p.path("event").asText().equals("cpu") ? p : cpu;
            }
            assertThat(cpu.path("samples").asLong()).isPositive();
            String collapsed = d.getRaw(cpu.at("/links/collapsed").asText()).body();
            String firstLine = collapsed.lines().findFirst().orElseThrow();
            String firstFrame = firstLine.substring(0, firstLine.lastIndexOf(' ')).split(";")[0]
                    .replaceAll("_\\[[a-z0-9]\\]$", "");
            page.locator("#profile-list tr[data-profile-id='" + cpu.path("id").asText() + "']").click();
            page.locator("iframe#flamegraph").waitFor();
            com.microsoft.playwright.Frame graph = page.frameLocator("iframe#flamegraph").locator("#canvas").elementHandle()
                    .ownerFrame();
            graph.waitForFunction("([samples, frame]) => typeof levels !== 'undefined' && canvas.width > 0"
                    + " && levels[0][0].width === samples && levels[1].some(f => f.title === frame)",
                    List.of(cpu.path("samples").asInt(), firstFrame),
                    new com.microsoft.playwright.Frame.WaitForFunctionOptions().setTimeout(120_000)); // slow renderer start
            Browser.screenshot(page, "capture-archive-cpu-flamegraph.png");
        }
    }

    static JsonNode first(JsonNode findings, String kind) {
        for (JsonNode f : findings) {
            if (f.path("kind").asText().equals(kind)) {
                return f;
            }
        }
        throw new AssertionError("no " + kind + " finding in " + findings);
    }
}
