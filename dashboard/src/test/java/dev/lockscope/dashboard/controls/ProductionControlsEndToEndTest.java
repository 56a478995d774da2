package dev.lockscope.dashboard.controls;

import static dev.lockscope.dashboard.controls.ControlsSupport.agentCli;
import static dev.lockscope.dashboard.controls.ControlsSupport.awaitProbes;
import static dev.lockscope.dashboard.controls.ControlsSupport.jcmd;
import static dev.lockscope.dashboard.controls.ControlsSupport.meanOps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.lockscope.dashboard.controls.ControlsSupport.Probe;
import dev.lockscope.dashboard.controls.ControlsSupport.Run;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.AgentProbeWorkload;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The production controls on one real JVM (started with {@code -javaagent} and {@code locks=off,deadlocks=off}),
 * in order: switches at start, switches handed over by a second {@code attach}, switches from the API and the
 * page, the overhead governor under a spike of lock waits, detach from the page, attach again, detach from the
 * CLI. The JVM runs {@link AgentProbeWorkload}, whose probes show whether the agent's advice is in the JDK's
 * classes (see its javadoc). One JVM, dashboard and browser for the whole class, to keep the suite short.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionControlsEndToEndTest {
    private static final Duration START = Duration.ofSeconds(40);
    private static final LocatorAssertions.HasTextOptions WAIT = new LocatorAssertions.HasTextOptions().setTimeout(20_000);

    private RunningDashboard dashboard;
    private ChildJvm app;
    private Browser browser;
    private Page page;
    private String id;

    @BeforeAll
    void start() throws Exception {
        dashboard = RunningDashboard.start();
        app = ChildJvm.main(System.getProperty("java.class.path"), AgentProbeWorkload.class.getName())
                .agent("dashboard=" + dashboard.agentUrl() + ",name=controls-probe,locks=off,deadlocks=off,"
                        + "governor.maxWaitsPerSec=3000")
                .start();
        app.awaitLine("started", Duration.ofSeconds(20));
        await().atMost(START).until(() -> sample().path("pools").path("instrumented").asBoolean());
        id = dashboard.jvmByPid(app.pid()).path("id").asText();
        browser = Browser.launch();
        page = browser.newPage();
        page.onDialog(d -> d.accept());
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (app != null) {
            app.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    private JsonNode sample() throws Exception {
        JsonNode j = dashboard.jvmByPid(app.pid());
        return j == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : j.path("sample");
    }

    private void awaitSample(Predicate<JsonNode> condition) {
        await().atMost(START).until(() -> condition.test(sample()));
    }

    private String api(String path) {
        return "/api/jvms/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + path;
    }

    private void openJvmPage() {
        page.navigate(dashboard.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/overview");
    }

    @Test
    @Order(1)
    void switchesGivenAsAgentOptionsAreInForceFromTheStart() throws Exception {
        JsonNode s = sample();
        assertThat(s.path("agent").path("switches").toString())
                .isEqualTo("{\"locks\":false,\"pools\":true,\"jfr\":true,\"deadlocks\":false}");
        assertThat(s.path("locks").path("instrumentation").path("enabled").asBoolean()).isFalse();
        assertThat(s.path("locks").path("coverage").path("jfrParkFallback").asBoolean()).isTrue();
        assertThat(s.path("threads").path("deadlockChecks").asLong()).isZero();
        List<Probe> probes = awaitProbes(app, app.stdout().size(), 2);
        assertThat(probes).allMatch(Probe::poolSeen);
        assertThat(probes.get(1).recorded()).isEqualTo(probes.get(0).recorded());
    }

    @Test
    @Order(2)
    void attachingAgainHandsTheSwitchesToTheRunningAgent() throws Exception {
        Run attach = agentCli("attach", Long.toString(app.pid()), "locks=on,deadlocks=on");
        assertThat(attach.exit()).as(attach.err()).isZero();
        assertThat(attach.out()).contains("the agent already runs in pid " + app.pid() + "; options handed to it: locks=on,deadlocks=on");

        awaitSample(s -> s.path("locks").path("instrumentation").path("enabled").asBoolean()
                && s.path("threads").path("deadlockChecks").asLong() > 0);
        assertThat(sample().path("agent").path("switches").toString())
                .isEqualTo("{\"locks\":true,\"pools\":true,\"jfr\":true,\"deadlocks\":true}");
        assertThat(app.stderr()).contains("lockscope: switches now locks=on pools=on jfr=on deadlocks=on");
        List<Probe> probes = awaitProbes(app, app.stdout().size(), 2);
        assertThat(probes.get(1).recorded()).isGreaterThan(probes.get(0).recorded());
        assertThat(dashboard.jvmByPid(app.pid()).path("connects").asLong()).isEqualTo(1); // the same agent
    }

    @Test
    @Order(3)
    void switchesFlipAtRuntimeFromTheApiAndFromTheJvmPage() throws Exception {
        // the API: pools and JFR off
        HttpResponse<String> off = dashboard.post(api("/features"), "{\"pools\": false, \"jfr\": false}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        assertThat(off.body()).isEqualTo("{\"locks\":true,\"pools\":false,\"jfr\":false,\"deadlocks\":true}");
        assertThat(awaitProbes(app, app.stdout().size(), 2)).noneMatch(Probe::poolSeen);
        assertThat(jcmd(app.pid(), "JFR.check")).contains("No available recordings");

        // the page: a person ticks "Pools" again
        openJvmPage();
        PlaywrightAssertions.assertThat(page.locator("#switch-pools")).not().isChecked();
        PlaywrightAssertions.assertThat(page.locator("#switch-locks")).isChecked();
        page.click("#switch-pools");
        PlaywrightAssertions.assertThat(page.locator("#controls-status")).hasText("Pools on", WAIT);
        awaitSample(s -> s.path("agent").path("switches").path("pools").asBoolean());
        assertThat(awaitProbes(app, app.stdout().size(), 2)).allMatch(Probe::poolSeen);

        // JFR back on: the monitor stream records again
        assertThat(dashboard.post(api("/features"), "{\"jfr\": true}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> jcmd(app.pid(), "JFR.check").contains("Recording "));

        // bad requests are refused with the reason, and nothing changes
        HttpResponse<String> unknown = dashboard.post(api("/features"), "{\"colour\": true}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown switch 'colour' (known: locks, pools, jfr, deadlocks)");
        HttpResponse<String> notBoolean = dashboard.post(api("/features"), "{\"locks\": \"maybe\"}");
        assertThat(notBoolean.statusCode()).isEqualTo(400);
        assertThat(notBoolean.body()).contains("switch locks must be true or false");
        assertThat(dashboard.post(api("/features"), "[]").statusCode()).isEqualTo(400);
        assertThat(dashboard.post(api("/features"), "{}").body())
                .contains("body must be a JSON object");
        awaitSample(s -> s.path("agent").path("switches").toString()
                .equals("{\"locks\":true,\"pools\":true,\"jfr\":true,\"deadlocks\":true}"));
    }

    @Test
    @Order(4)
    void aSpikeOfLockWaitsMakesTheGovernorShedDetailThenRelax() throws Exception {
        assertThat(sample().path("agent").path("governor").path("level").asInt()).isZero();
        app.process().getOutputStream().write("spike 3\n".getBytes(StandardCharsets.UTF_8));
        app.process().getOutputStream().flush();
        app.awaitLine("spike started", Duration.ofSeconds(10));

        // raised: an event, the sample's agent.governor, the page header
        await().atMost(Duration.ofSeconds(15)).until(() -> dashboard.get(api("/events?kind=governor")).size() >= 1);
        JsonNode raised = dashboard.get(api("/events?kind=governor")).get(0).path("body");
        assertThat(raised.path("action").asText()).isEqualTo("raised");
        assertThat(raised.path("level").asInt()).isEqualTo(1);
        assertThat(raised.path("budgetPerSec").asLong()).isEqualTo(3000);
        assertThat(raised.path("ratePerSec").asLong()).isGreaterThan(3000);
        awaitSample(s -> s.path("agent").path("governor").path("level").asInt() >= 1);
        JsonNode g = sample().path("agent").path("governor");
        assertThat(g.path("state").asText()).isEqualTo("shedding");
        assertThat(g.path("stacks").asBoolean()).isFalse();
        PlaywrightAssertions.assertThat(page.locator("#governor")).containsText("overhead governor: shedding detail",
                new LocatorAssertions.ContainsTextOptions().setTimeout(20_000));

        // relaxed: after the spike, level by level back to normal
        app.awaitLine("spike ended", Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(20)).until(() -> sample().path("agent").path("governor").path("level").asInt() == 0);
        JsonNode events = dashboard.get(api("/events?kind=governor"));
        JsonNode last = events.get(events.size() - 1).path("body");
        assertThat(last.path("action").asText()).isEqualTo("relaxed");
        assertThat(last.path("level").asInt()).isZero();
        assertThat(sample().path("agent").path("governor").path("stacks").asBoolean()).isTrue();
        PlaywrightAssertions.assertThat(page.locator("#governor")).isHidden();
    }

    @Test
    @Order(5)
    void detachFromTheJvmPageRestoresTheJdkClassesAndStopsTheAgentWhileTheAppRunsOn() throws Exception {
        // given: the agent's advice records waits and registers pools; its threads and JFR stream run
        List<Probe> before = awaitProbes(app, app.stdout().size(), 3);
        assertThat(before).allMatch(Probe::poolSeen);
        assertThat(before.get(2).recorded()).isGreaterThan(before.get(0).recorded());
        // and a profile is running (async-profiler, or JFR where it cannot load)
        HttpResponse<String> profile = dashboard.post(api("/profiles"), "{\"event\": \"cpu\", \"duration\": 120}");
        assertThat(profile.statusCode()).as(profile.body()).isEqualTo(201);
        String profileId = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(profile.body())
                .path("id").asText();
        assertThat(jcmd(app.pid(), "Thread.print"))
                .contains("\"lockscope-sampler\"", "\"lockscope-locks\"", "\"lockscope-profile-");

        // when: a person clicks "Detach agent" in the JVM's page and confirms
        openJvmPage();
        page.click("#detach");

        // then: the page shows it detached
        PlaywrightAssertions.assertThat(page.locator("#jvm-state")).hasText("detached", WAIT);
        PlaywrightAssertions.assertThat(page.locator("#detach")).isDisabled();
        Browser.screenshot(page, "controls-detached.png");
        JsonNode j = dashboard.jvmByPid(app.pid());
        assertThat(j.path("connected").asBoolean()).isFalse();
        assertThat(j.path("detached").asBoolean()).isTrue();
        assertThat(dashboard.get(api("/events?kind=detached"))).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                dashboard.get("/api/profiles/" + profileId).path("status").asText().equals("failed"));

        // and: no agent thread, no recording; the advice is gone although the program switched the bridge back on
        await().atMost(Duration.ofSeconds(10)).until(() -> app.stdout().stream().anyMatch(l -> l.endsWith("state=detached")));
        List<Probe> after = awaitProbes(app, app.stdout().size(), 3);
        assertThat(after).allMatch(p -> p.state().equals("detached")).noneMatch(Probe::poolSeen);
        assertThat(after.get(2).recorded()).isEqualTo(after.get(0).recorded());
        // (the link's HTTP client's selector thread too: this program has no HTTP client of its own)
        assertThat(jcmd(app.pid(), "Thread.print")).doesNotContain("\"lockscope-").doesNotContain("\"HttpClient-");
        assertThat(jcmd(app.pid(), "JFR.check")).contains("No available recordings");
        // the app keeps its throughput (paced by its 1 ms critical section; generous margin for a loaded machine)
        assertThat(meanOps(after)).isGreaterThan(0.7 * meanOps(before));
        assertThat(app.isAlive()).isTrue();
    }

    @Test
    @Order(6)
    void attachingAgainAfterADetachStartsAFreshAgent() throws Exception {
        Run attach = agentCli("attach", Long.toString(app.pid()), "dashboard=" + dashboard.agentUrl() + ",name=controls-probe");
        assertThat(attach.exit()).as(attach.err()).isZero();
        assertThat(attach.out()).contains("agent loaded into pid " + app.pid());

        await().atMost(START).until(() -> {
            JsonNode j = dashboard.jvmByPid(app.pid());
            return j.path("connected").asBoolean() && !j.path("detached").asBoolean()
                    && j.path("sample").path("locks").path("instrumentation").path("enabled").asBoolean();
        });
        List<Probe> probes = awaitProbes(app, app.stdout().size(), 2);
        assertThat(probes).allMatch(p -> p.state().equals("running")).allMatch(Probe::poolSeen);
        assertThat(probes.get(1).recorded()).isGreaterThan(probes.get(0).recorded());
        assertThat(dashboard.jvmByPid(app.pid()).path("connects").asLong()).isEqualTo(2);
    }

    @Test
    @Order(7)
    void detachFromTheCommandLineRemovesTheRunningAgent() throws Exception {
        Run detach = agentCli("detach", Long.toString(app.pid()));
        assertThat(detach.exit()).as(detach.err()).isZero();
        assertThat(detach.out()).contains("agent detached from pid " + app.pid());

        await().atMost(Duration.ofSeconds(10)).until(() -> dashboard.jvmByPid(app.pid()).path("detached").asBoolean());
        assertThat(jcmd(app.pid(), "Thread.print")).doesNotContain("\"lockscope-");
        assertThat(jcmd(app.pid(), "JFR.check")).contains("No available recordings");
        List<Probe> after = awaitProbes(app, app.stdout().size(), 2);
        assertThat(after).noneMatch(Probe::poolSeen);
        assertThat(after.get(1).recorded()).isEqualTo(after.get(0).recorded());
    }

    @Test
    @Order(8)
    void detachingWhereNoAgentRunsIsRefusedClearly() throws Exception {
        Run detach = agentCli("detach", Long.toString(app.pid()));
        assertThat(detach.exit()).isEqualTo(1);
        assertThat(detach.err()).contains("no lockscope agent runs in pid " + app.pid());
        assertThat(app.isAlive()).isTrue();
    }
}
