package dev.lockscope.dashboard.profiles;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PageAssertions;
import com.microsoft.playwright.options.BoundingBox;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM page's one time window, as a person uses it: a range dragged across a chart becomes the window of
 * every view (the lock table, the thread-dump captures, the recorded flame graph), the URL carries it so a reload
 * lands on the same view,
 * and pausing freezes the view while samples keep arriving.
 */
class TimeWindowBrowserTest {
    private static final LocatorAssertions.IsVisibleOptions SLOW = new LocatorAssertions.IsVisibleOptions().setTimeout(30_000);
    private static final LocatorAssertions.ContainsTextOptions SLOW_TEXT = new LocatorAssertions.ContainsTextOptions().setTimeout(15_000);

    @Test
    void aRangeBrushedOnAChartDrivesEveryViewSurvivesAReloadAndPauseFreezesTheView() throws Exception {
        try (RunningDashboard d = RunningDashboard.start(); Browser browser = Browser.launch();
             ChildJvm app = ChildJvm.sample("cache-stampede", "--ttl=1000", "--load=300", "--readers=10", "--keys=1")
                     .agent("dashboard=" + d.agentUrl() + ",name=prices").start()) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> d.jvmByPid(app.pid()) != null);
            String id = d.jvmByPid(app.pid()).path("id").asText();
            JsonNode early = takeDump(d, id);
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

            // A second dump, then 5 s more: the brush below (45 % to 95 % of the chart, which spans the samples so
            // far, about 25 s) holds it, while the early one sits at the chart's left edge.
            JsonNode late = takeDump(d, id);
            page.waitForTimeout(5_000);

            // Brush the second half of the threads chart (in view: the mouse only reaches what is on screen).
            for (int attempt = 0; attempt < 3 && page.locator("#window-range").count() == 0; attempt++) {
                chart.scrollIntoViewIfNeeded();
                BoundingBox box = chart.boundingBox();
                double y = box.y + box.height / 2;
                page.mouse().move(box.x + box.width * 0.45, y);
                page.mouse().down();
                page.mouse().move(box.x + box.width * 0.95, y, new com.microsoft.playwright.Mouse.MoveOptions().setSteps(8));
                page.mouse().up();
                page.waitForTimeout(300);
            }
            assertThat(page.locator("#window-range")).isVisible();
            Matcher m = Pattern.compile("from=(\\d+)&to=(\\d+)").matcher(page.url());
            assertThat(m.find()).as(page.url()).isTrue();
            long from = Long.parseLong(m.group(1));
            long to = Long.parseLong(m.group(2));
            assertThat(to - from).isBetween(2_000L, 60_000L);
            String label = page.locator("#window-range").textContent();
            Browser.screenshot(page, "time-window-brushed.png");
            assertThat(early.path("ts").asLong()).as("early dump before the brushed window").isLessThan(from);
            assertThat(late.path("ts").asLong()).as("late dump inside the brushed window").isBetween(from, to);

            // The Threads tab lists only the captures taken inside it (the findings engine may have taken some
            // too), says so, and a reload keeps it; "show all" lists the others.
            page.locator(".tabs a[data-tab=threads]").click();
            assertThat(page).hasURL(Pattern.compile(".*/threads\\?.*from=" + from + "&to=" + to + ".*"));
            List<String> inWindow = new ArrayList<>();
            d.get("/api/jvms/" + id + "/threaddumps?from=" + from + "&to=" + to).forEach(c -> inWindow.add(c.path("id").asText()));
            assertThat(inWindow).contains(late.path("id").asText()).doesNotContain(early.path("id").asText());
            for (int load = 0; load < 2; load++) {
                if (load == 1) {
                    page.reload();
                    assertThat(page.locator(".tabs a.active")).hasText("Threads");
                    assertThat(page.locator("#window-range")).hasText(label);
                }
                assertThat(page.locator("#captures-window"))
                        .containsText(Pattern.compile("captures in the selected window: " + inWindow.size() + " of \\d+"), SLOW_TEXT);
                assertThat(page.locator("#captures tbody tr")).hasCount(inWindow.size());
                assertThat(captureRow(page, late)).hasCount(1);
                assertThat(captureRow(page, early)).hasCount(0);
            }
            Browser.screenshot(page, "time-window-threads.png");
            page.locator("#captures-show-all").click();
            assertThat(captureRow(page, early)).hasCount(1);
            assertThat(page.locator("#captures-window")).containsText("all ");

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

    private static JsonNode takeDump(RunningDashboard d, String jvmId) throws Exception {
        HttpResponse<String> r = d.post("/api/jvms/" + jvmId + "/threaddump", "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    /** The capture's row in the Threads tab's list (its download link names it). */
    private static Locator captureRow(Page page, JsonNode capture) {
        return page.locator("#captures tbody a[href='/api/threaddumps/" + capture.path("id").asText() + "?download=true']");
    }
}
