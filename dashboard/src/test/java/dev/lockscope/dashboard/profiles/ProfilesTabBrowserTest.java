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
            page.onRequestFailed(r -> System.out.println("request failed: " + r.url() + " " + r.failure()));
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
            Frame graph = viewerFrame(page);
            graph.waitForFunction("() => typeof levels !== 'undefined' && levels[0].length === 1 && levels[0][0].width > 0"
                    + " && canvas.width > 0");

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
            // The roots are drawn at the bottom of a canvas taller than the iframe: scroll there first, as a person would.
            iframe.scrollIntoViewIfNeeded();
            graph.evaluate("() => window.scrollTo(0, document.body.scrollHeight)");
            for (int attempt = 0; attempt < 5 && graph.locator("#status").textContent().isEmpty(); attempt++) {
                canvas.hover(new Locator.HoverOptions().setPosition(x, y - attempt % 2));
                Thread.sleep(200);
            }
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

            // A second capture, then "compare with…" the first: the differential graph and the grew/shrank tables.
            String first = page.locator("#profile-list tr[data-profile-id]").first().getAttribute("data-profile-id");
            page.fill("#profile-duration", "3");
            page.uncheck("#profile-by-thread");
            page.click("#profile-start");
            page.locator("#profile-list tr[data-profile-id]:not([data-profile-id='" + first + "']) .badge.ok")
                    .waitFor(new Locator.WaitForOptions().setTimeout(60_000));
            page.locator("#profile-list tr[data-profile-id]").first().click(); // newest first
            page.locator("#profile-compare").waitFor();
            page.selectOption("#profile-compare", first);
            try {
                page.locator("#profile-diff table").first().waitFor();
            } catch (RuntimeException e) {
                // Seen only under CI load (the suite's rerun passes): what the viewer showed instead is the clue.
                System.out.println("the comparison never showed; URL " + page.url() + ", compare selects "
                        + page.evaluate("() => [...document.querySelectorAll('#profile-compare')].map(s => s.value + '/' + s.options.length)")
                        + ", viewer " + page.evaluate("() => document.querySelector('#profile-compare')?.closest('.card')?.outerHTML.slice(0, 2000)"));
                throw e;
            }
            assertThat(page.locator("iframe#flamegraph").getAttribute("src")).contains("/api/profiles/" + first + "/diff/");
            assertThat(page.locator("#profile-diff").textContent()).contains("Grew").contains("Shrank");
            // frame names in the grew/shrank tables are table text (el(), textContent)
            assertThat(page.locator("#profile-diff td.frame-name").allTextContents()).isNotEmpty();
            page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "profiles-diff.png")).setFullPage(true));
            assertThat(d.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }

    /** The iframe's document once it navigated to the flame graph page (the element exists before that). */
    private static Frame viewerFrame(Page page) throws InterruptedException {
        // Generous: the sandboxed iframe gets its own renderer process, slow to start on a loaded 2-core machine.
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Frame f : page.frames()) {
                if (f.url().contains("/html")) {
                    return f;
                }
            }
            Thread.sleep(100);
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "profiles-iframe-not-loaded.png")));
        throw new AssertionError("the flame graph iframe never loaded; frames: " + page.frames().stream().map(Frame::url).toList());
    }
}
