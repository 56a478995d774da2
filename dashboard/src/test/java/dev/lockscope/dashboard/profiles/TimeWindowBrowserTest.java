package dev.lockscope.dashboard.profiles;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PageAssertions;
import com.microsoft.playwright.options.BoundingBox;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM page's one time window, as a person uses it: a range dragged across a chart becomes the window of
 * every view (the lock table, the recorded flame graph), the URL carries it so a reload lands on the same view,
 * and pausing freezes the view while samples keep arriving.
 */
class TimeWindowBrowserTest {
    private static final LocatorAssertions.IsVisibleOptions SLOW = new LocatorAssertions.IsVisibleOptions().setTimeout(30_000);

    @Test
    void aRangeBrushedOnAChartDrivesEveryViewSurvivesAReloadAndPauseFreezesTheView() throws Exception {
        try (RunningDashboard d = RunningDashboard.start(); Browser browser = Browser.launch();
             ChildJvm app = ChildJvm.sample("cache-stampede", "--ttl=1000", "--load=300", "--readers=10", "--keys=1")
                     .agent("dashboard=" + d.agentUrl() + ",name=prices").start()) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> d.jvmByPid(app.pid()) != null);
            String id = d.jvmByPid(app.pid()).path("id").asText();
            // Twelve seconds of history (several stampedes, the recording running) before brushing.
            Thread.sleep(12_000);
            Page page = browser.newPage();
            page.setViewportSize(1400, 1000);
            page.onConsoleMessage(msg -> System.out.println("console: " + msg.text()));
            page.onPageError(err -> System.out.println("page error: " + err));
            page.navigate(d.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/overview");
            Locator chart = page.locator(".chart .u-over").first();
            assertThat(chart).isVisible(SLOW);
            // The stampede's finding is in the strip above the charts: the layout is settled before dragging.
            assertThat(page.locator("#findings-strip article.finding").first()).isVisible(SLOW);

            // Pause: the view freezes while samples keep arriving.
            page.locator("#pause").click();
            String frozen = page.locator("#data-until").textContent();
            page.waitForTimeout(3_500);
            assertThat(page.locator("#data-until")).hasText(frozen);
            assertThat(page.locator("#paused-arrivals")).containsText(Pattern.compile("paused: [2-9]\\d* new samples not shown"));
            page.locator("#pause").click();
            assertThat(page.locator("#data-until")).not().hasText(frozen,
                    new LocatorAssertions.HasTextOptions().setTimeout(5_000));
            assertThat(page.locator("#paused-arrivals")).hasText("");

            // Brush the second half of the threads chart.
            BoundingBox box = chart.boundingBox();
            double y = box.y + box.height / 2;
            page.mouse().move(box.x + box.width * 0.45, y);
            page.mouse().down();
            page.mouse().move(box.x + box.width * 0.95, y, new com.microsoft.playwright.Mouse.MoveOptions().setSteps(8));
            page.mouse().up();
            assertThat(page.locator("#window-range")).isVisible();
            Matcher m = Pattern.compile("from=(\\d+)&to=(\\d+)").matcher(page.url());
            assertThat(m.find()).as(page.url()).isTrue();
            long from = Long.parseLong(m.group(1));
            long to = Long.parseLong(m.group(2));
            assertThat(to - from).isBetween(2_000L, 60_000L);
            String label = page.locator("#window-range").textContent();
            Browser.screenshot(page, "time-window-brushed.png");

            // The Locks tab follows the brushed window.
            page.locator(".tabs a[data-tab=locks]").click();
            assertThat(page).hasURL(Pattern.compile(".*/locks\\?.*from=" + from + "&to=" + to + ".*"));
            assertThat(page.locator("#tab-content h2").filter(new Locator.FilterOptions().setHasText("Contended locks")))
                    .hasText("Contended locks, " + label);
            assertThat(page.locator("#tab-content .lock-name").first()).containsText("PriceCache",
                    new LocatorAssertions.ContainsTextOptions().setTimeout(15_000));

            // So does the flame graph: the recorded lock flame graph of exactly that window.
            page.locator(".tabs a[data-tab=profiles]").click();
            page.locator("#recorded-lock").click();
            Locator graph = page.locator("#recorded-flamegraph");
            assertThat(graph).isVisible(SLOW);
            assertThat(graph).hasAttribute("data-from", String.valueOf(from));
            assertThat(graph).hasAttribute("data-to", String.valueOf(to));
            assertThat(graph).hasAttribute("src", Pattern.compile(".*event=lock&from=" + from + "&to=" + to));
            assertThat(page.frameLocator("#recorded-flamegraph").locator("canvas")).isVisible(SLOW);
            Browser.screenshot(page, "time-window-lock-flamegraph.png");

            // A deep link reloads to the same view, brushed window included.
            assertThat(page).hasURL(Pattern.compile(".*/profiles\\?.*from=" + from + "&to=" + to + ".*sel=recording%3Alock.*"),
                    new PageAssertions.HasURLOptions().setTimeout(5_000));
            page.reload();
            assertThat(page.locator(".tabs a.active")).hasText("Profiles");
            assertThat(page.locator("#window-range")).hasText(label);
            assertThat(page.locator("#recorded-flamegraph")).hasAttribute("data-from", String.valueOf(from),
                    new LocatorAssertions.HasAttributeOptions().setTimeout(30_000));

            // Back to live.
            page.locator("#clear-range").click();
            assertThat(page.locator("#window-range")).hasCount(0);
            assertThat(page).hasURL(Pattern.compile("^((?!from=).)*$"));
        }
    }
}
