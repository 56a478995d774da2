package dev.lockscope.dashboard.controls;

import static dev.lockscope.dashboard.controls.ControlsSupport.agentCli;
import static dev.lockscope.dashboard.controls.ControlsSupport.awaitProbes;
import static dev.lockscope.dashboard.controls.ControlsSupport.jcmd;
import static dev.lockscope.dashboard.controls.ControlsSupport.meanOps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.lockscope.dashboard.controls.ControlsSupport.Probe;
import dev.lockscope.dashboard.controls.ControlsSupport.Run;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.DetachProbeWorkload;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Detach and re-attach on one real JVM started with {@code -javaagent}, in order: detach from the dashboard page,
 * attach again with the CLI, detach with the CLI. The JVM runs {@link DetachProbeWorkload}, whose probes show
 * whether the agent's advice is still in the JDK's classes (see its javadoc).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetachEndToEndTest {
    private RunningDashboard dashboard;
    private ChildJvm app;

    @BeforeAll
    void start() throws Exception {
        dashboard = RunningDashboard.start();
        app = ChildJvm.main(System.getProperty("java.class.path"), DetachProbeWorkload.class.getName())
                .agent("dashboard=" + dashboard.agentUrl() + ",name=detach-probe").start();
        app.awaitLine("started", Duration.ofSeconds(20));
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
    @Order(1)
    void detachFromTheJvmPageRestoresTheJdkClassesAndStopsTheAgentWhileTheAppRunsOn() throws Exception {
        // given: the agent is in place (its advice records waits and registers pools; its JFR stream runs)
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            JsonNode j = dashboard.jvmByPid(app.pid());
            return j != null && j.path("sample").path("locks").path("instrumentation").path("enabled").asBoolean()
                    && j.path("sample").path("pools").path("instrumented").asBoolean();
        });
        int mark = app.stdout().size();
        List<Probe> before = awaitProbes(app, mark, 3);
        assertThat(before).allMatch(Probe::poolSeen);
        assertThat(before.get(2).recorded()).isGreaterThan(before.get(0).recorded());
        assertThat(jcmd(app.pid(), "Thread.print")).contains("\"lockscope-sampler\"", "\"lockscope-locks\"");
        assertThat(jcmd(app.pid(), "JFR.check")).contains("Recording ");

        // when: a person clicks "Detach agent" in the JVM's page and confirms
        String id = dashboard.jvmByPid(app.pid()).path("id").asText();
        try (Browser browser = Browser.launch()) {
            Page page = browser.newPage();
            page.onDialog(d -> d.accept());
            page.navigate(dashboard.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/overview");
            page.click("#detach");
            // then: the page shows it detached
            PlaywrightAssertions.assertThat(page.locator("#jvm-state")).hasText("detached",
                    new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(20_000));
            PlaywrightAssertions.assertThat(page.locator("#detach")).isDisabled();
            Browser.screenshot(page, "controls-detached.png");
        }
        JsonNode j = dashboard.jvmByPid(app.pid());
        assertThat(j.path("connected").asBoolean()).isFalse();
        assertThat(j.path("detached").asBoolean()).isTrue();
        assertThat(dashboard.get("/api/jvms/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/events?kind=detached"))
                .hasSize(1);

        // and: no agent thread, no recording; the advice is gone although the program switched the bridge back on
        await().atMost(Duration.ofSeconds(10)).until(() -> app.stdout().stream().anyMatch(l -> l.endsWith("state=detached")));
        int detachedMark = app.stdout().size();
        List<Probe> after = awaitProbes(app, detachedMark, 4);
        assertThat(after).allMatch(p -> p.state().equals("detached")).noneMatch(Probe::poolSeen);
        assertThat(after.get(3).recorded()).isEqualTo(after.get(0).recorded());
        // (the link's HTTP client's selector thread too: this program has no HTTP client of its own)
        assertThat(jcmd(app.pid(), "Thread.print")).doesNotContain("\"lockscope-").doesNotContain("\"HttpClient-");
        assertThat(jcmd(app.pid(), "JFR.check")).contains("No available recordings");
        // the app keeps its throughput (paced by its 1 ms critical section; generous margin for a loaded machine)
        assertThat(meanOps(after)).isGreaterThan(0.7 * meanOps(before));
        assertThat(app.isAlive()).isTrue();
    }

    @Test
    @Order(2)
    void attachingAgainAfterADetachStartsAFreshAgent() throws Exception {
        Run attach = agentCli("attach", Long.toString(app.pid()), "dashboard=" + dashboard.agentUrl() + ",name=detach-probe");
        assertThat(attach.exit()).as(attach.err()).isZero();
        assertThat(attach.out()).contains("agent loaded into pid " + app.pid());

        await().atMost(Duration.ofSeconds(40)).until(() -> {
            JsonNode j = dashboard.jvmByPid(app.pid());
            return j.path("connected").asBoolean() && !j.path("detached").asBoolean()
                    && j.path("sample").path("locks").path("instrumentation").path("enabled").asBoolean();
        });
        int mark = app.stdout().size();
        List<Probe> probes = awaitProbes(app, mark, 3);
        assertThat(probes).allMatch(p -> p.state().equals("running")).allMatch(Probe::poolSeen);
        assertThat(probes.get(2).recorded()).isGreaterThan(probes.get(0).recorded());
        assertThat(dashboard.jvmByPid(app.pid()).path("connects").asLong()).isEqualTo(2);
    }

    @Test
    @Order(3)
    void detachFromTheCommandLineRemovesTheRunningAgent() throws Exception {
        Run detach = agentCli("detach", Long.toString(app.pid()));
        assertThat(detach.exit()).as(detach.err()).isZero();
        assertThat(detach.out()).contains("agent detached from pid " + app.pid());

        await().atMost(Duration.ofSeconds(10)).until(() -> dashboard.jvmByPid(app.pid()).path("detached").asBoolean());
        assertThat(jcmd(app.pid(), "Thread.print")).doesNotContain("\"lockscope-");
        assertThat(jcmd(app.pid(), "JFR.check")).contains("No available recordings");
        List<Probe> after = awaitProbes(app, app.stdout().size(), 3);
        assertThat(after).noneMatch(Probe::poolSeen);
        assertThat(after.get(2).recorded()).isEqualTo(after.get(0).recorded());
    }

    @Test
    @Order(4)
    void detachingWhereNoAgentRunsIsRefusedClearly() throws Exception {
        Run detach = agentCli("detach", Long.toString(app.pid()));
        assertThat(detach.exit()).isEqualTo(1);
        assertThat(detach.err()).contains("no lockscope agent runs in pid " + app.pid());
        assertThat(app.isAlive()).isTrue();
    }
}
