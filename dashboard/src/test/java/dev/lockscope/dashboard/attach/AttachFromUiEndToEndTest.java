package dev.lockscope.dashboard.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attach from the UI against real JVMs: a click in real Chromium loads the real agent into a running sample,
 * and the CLI's refusals come back as clear errors (in the page and over HTTP). One dashboard for the class.
 */
class AttachFromUiEndToEndTest {
    private static RunningDashboard dashboard;

    @BeforeAll
    static void start() {
        dashboard = RunningDashboard.start(DashboardConfig.defaults().withPort(0)
                .withUiAttach(DashboardConfig.UiAttach.AUTO, Jars.AGENT));
    }

    @AfterAll
    static void stop() {
        dashboard.close();
    }

    @Test
    void aClickAttachesTheAgentAndAJvmThatRefusesDynamicAgentsIsExplained() throws Exception {
        try (ChildJvm app = ChildJvm.sample("saturated-pool").start();
             ChildJvm refusing = ChildJvm.sample("saturated-pool").javaHome(Jars.JDK25)
                     .jvmArg("-XX:-EnableDynamicAgentLoading").start();
             Browser browser = Browser.launch()) {
            app.awaitLine("started", Duration.ofSeconds(30));
            refusing.awaitLine("started", Duration.ofSeconds(30));
            Page page = browser.newPage();
            page.navigate(dashboard.url() + "/");
            page.click("#find-local-jvms");
            Locator row = page.locator("#local-jvms tr[data-pid='" + app.pid() + "']");
            PlaywrightAssertions.assertThat(row).containsText("lockscope-samples.jar",
                    new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));

            row.locator("button.attach-button").click();

            PlaywrightAssertions.assertThat(page.locator("#attach-message")).hasText("agent loaded into pid " + app.pid(),
                    new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(60_000));
            await().atMost(Duration.ofSeconds(30)).until(() -> dashboard.jvmByPid(app.pid()) != null);
            JsonNode jvm = dashboard.jvmByPid(app.pid());
            PlaywrightAssertions.assertThat(page.locator("tr.jvm-row[data-jvm-id='" + jvm.path("id").asText() + "']"))
                    .containsText(Long.toString(app.pid()));
            assertThat(app.isAlive()).isTrue();

            page.locator("#local-jvms tr[data-pid='" + refusing.pid() + "'] button.attach-button").click();
            PlaywrightAssertions.assertThat(page.locator("#attach-message.error")).containsText(
                    "pid " + refusing.pid() + " refuses dynamically loaded agents",
                    new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
            assertThat(refusing.isAlive()).isTrue();

            // Attaching twice is refused before anything touches the JVM.
            HttpResponse<String> again = dashboard.post("/api/local-jvms/" + app.pid() + "/attach", "{}");
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(error(again)).contains("already reports to this dashboard");
        }
    }

    @Test
    void aPidWithNoProcessIsRefusedWithTheClisMessage() throws Exception {
        long pid = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1000) + 100_000;
        HttpResponse<String> r = dashboard.post("/api/local-jvms/" + pid + "/attach", "{}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(error(r)).isEqualTo("no process with pid " + pid);
    }

    @Test
    void somethingThatIsNotAPidOrAnUnsafeNameIsABadRequest() throws Exception {
        HttpResponse<String> notPid = dashboard.post("/api/local-jvms/not-a-pid/attach", "{}");
        assertThat(notPid.statusCode()).isEqualTo(400);
        assertThat(error(notPid)).isEqualTo("'not-a-pid' is not a process id");
        HttpResponse<String> badName = dashboard.post("/api/local-jvms/1/attach", "{\"name\":\"x,dashboard=ws://evil\"}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(error(badName)).contains("name may hold letters");
        HttpResponse<String> self = dashboard.post("/api/local-jvms/" + ProcessHandle.current().pid() + "/attach", "{}");
        assertThat(self.statusCode()).isEqualTo(400);
        assertThat(error(self)).contains("is this dashboard itself");
    }

    @Test
    void beyondLoopbackAttachingIsOffUnlessExplicitlyEnabled() throws Exception {
        assertThat(DashboardConfig.parse(new String[] {"--host", "0.0.0.0", "--token", "t"}, null).uiAttachEnabled()).isFalse();
        assertThat(DashboardConfig.parse(new String[] {"--host", "0.0.0.0", "--token", "t", "--ui-attach", "on"}, null)
                .uiAttachEnabled()).isTrue();
        assertThat(DashboardConfig.parse(new String[] {}, null).uiAttachEnabled()).isTrue();
        try (RunningDashboard off = RunningDashboard.start(DashboardConfig.defaults().withPort(0)
                .withUiAttach(DashboardConfig.UiAttach.OFF, Jars.AGENT))) {
            assertThat(off.get("/api/attach").path("enabled").asBoolean()).isFalse();
            HttpResponse<String> list = off.getRaw("/api/local-jvms");
            assertThat(list.statusCode()).isEqualTo(403);
            assertThat(error(list)).contains("--ui-attach off");
            assertThat(off.post("/api/local-jvms/1/attach", "{}").statusCode()).isEqualTo(403);
        }
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("error").asText();
    }
}
