package dev.lockscope.dashboard.profiles;

import static dev.lockscope.dashboard.profiles.Profiles.jvmId;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Frame;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A person profiles a JVM from the Profiles tab: starts a cpu profile, sees the countdown, gets the flame graph,
 * zooms by clicking a frame, searches, and reads frame names that contain HTML as plain text. The JVM's threads
 * are named {@code <img src=x onerror=...>-N} and the profile has one graph per thread, so those names are
 * frames of the graph.
 */
class ProfilesTabBrowserTest {
    private static final String EVIL = "<img src=x onerror=window.parent.pwned=1>";

    @Test
    void flameGraphRendersZoomsOnClickSearchesAndShowsHtmlInFrameNamesAsText() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("cpu-burn", "--threads=2").jvmArg("-Dcpuburn.threadName=" + EVIL)
                     .agent("dashboard=" + d.agentUrl() + ",name=browser-burn").start();
             Browser browser = Browser.launch()) {
            String jvm = jvmId(d, app.pid());
            Page page = browser.newPage();
            page.navigate(d.url() + "/#/jvm/" + jvm + "/profiles");

            page.selectOption("#profile-event", "cpu");
            page.fill("#profile-duration", "5");
            page.check("#profile-by-thread");
            page.click("#profile-start");
            Locator countdown = page.locator("#profile-countdown");
            countdown.waitFor();
            assertThat(countdown.textContent()).matches("\\d+ s left|collecting the result…");

            page.locator("#profile-list .profile-status .badge.ok").waitFor(new Locator.WaitForOptions().setTimeout(60_000));
            assertThat(page.locator("#profile-running").isHidden()).isTrue();
            assertThat(page.locator("#profile-list a", new Page.LocatorOptions().setHasText("JFR")).count()).isEqualTo(1);

            Locator iframe = page.locator("iframe#flamegraph");
            iframe.waitFor();
            assertThat(iframe.getAttribute("sandbox")).isEqualTo("allow-scripts allow-modals");
            Frame graph = page.frames().stream().filter(f -> f.url().contains("/html")).findFirst().orElseThrow();
            graph.waitForFunction("() => typeof levels !== 'undefined' && levels[0].length === 1 && levels[0][0].width > 0");

            // The flame graph rendered: the root holds every sample, the thread frames sit above it.
            Number rootWidth = (Number) graph.evaluate("() => levels[0][0].width");
            assertThat(rootWidth.intValue()).isGreaterThan(50);
            @SuppressWarnings("unchecked")
            List<String> threadFrames = (List<String>) graph.evaluate("() => levels[1].map(f => f.title)");
            assertThat(threadFrames).contains("[" + EVIL + "-0]", "[" + EVIL + "-1]");

            // Hover the first burner thread's frame: its name appears as text in the tooltip and status line.
            Map<?, ?> target = (Map<?, ?>) graph.evaluate("() => { const f = levels[1].find(f => f.title.endsWith('-0]'));"
                    + " return {x: (f.left + f.width / 2) * px, y: canvasHeight - 2 * 16 + 8, width: f.width}; }");
            Locator canvas = graph.locator("#canvas");
            double x = ((Number) target.get("x")).doubleValue();
            double y = ((Number) target.get("y")).doubleValue();
            canvas.hover(new Locator.HoverOptions().setPosition(x, y));
            assertThat(graph.locator("#status").textContent()).startsWith("Function: [" + EVIL + "-0]").contains("samples").contains("%");
            assertThat(graph.locator("#hl span").textContent()).isEqualTo("[" + EVIL + "-0]");
            assertThat(graph.locator("img").count()).isZero(); // the name was not parsed as markup
            assertThat(page.evaluate("() => window.pwned")).isNull();

            // Click zooms into that frame.
            canvas.click(new Locator.ClickOptions().setPosition(x, y));
            assertThat(graph.evaluate("() => root.title")).isEqualTo("[" + EVIL + "-0]");
            assertThat(graph.evaluate("() => root.level")).isEqualTo(1);

            // Search: the viewer asks for a pattern, highlights matches and shows the matched share.
            page.onDialog(dialog -> dialog.accept("CpuBurn\\.checksum"));
            graph.click("#search");
            graph.locator("#match").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE));
            String matched = graph.locator("#matchval").textContent();
            assertThat(Double.parseDouble(matched.replace("%", ""))).isGreaterThan(50.0);
            Path shot = Paths.get("target", "profiles-tab.png");
            page.screenshot(new Page.ScreenshotOptions().setPath(shot).setFullPage(true));

            // 0 resets the zoom.
            canvas.press("0");
            assertThat(graph.evaluate("() => root.level")).isEqualTo(0);
            assertThat(d.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }
}
