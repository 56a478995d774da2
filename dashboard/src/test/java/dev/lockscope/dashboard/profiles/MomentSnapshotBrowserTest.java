package dev.lockscope.dashboard.profiles;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Mouse;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.BoundingBox;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JFR snapshot around a moment, as a person takes it: a plain click on a chart picks the moment (a drag still
 * brushes a window), one button saves the always-on recording around it, and the .jfr downloaded from the
 * Profiles tab's list holds the stampede's contention on both sides of that moment.
 */
class MomentSnapshotBrowserTest {
    private static final LocatorAssertions.IsVisibleOptions SLOW = new LocatorAssertions.IsVisibleOptions().setTimeout(30_000);
    private static final String LOCK_PATH = "CacheStampede$PriceCache.priceUnderLock";

    @TempDir
    Path tmp;

    @Test
    void aMomentClickedOnAChartSavesADownloadableJfrSnapshotAroundIt() throws Exception {
        try (RunningDashboard d = RunningDashboard.start(); Browser browser = Browser.launch();
             ChildJvm app = ChildJvm.sample("cache-stampede", "--ttl=1000", "--load=300", "--readers=10", "--keys=1")
                     .agent("dashboard=" + d.agentUrl() + ",name=prices").start()) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> d.jvmByPid(app.pid()) != null);
            String id = d.jvmByPid(app.pid()).path("id").asText();
            // Some history (a stampede a second, the recording running) to pick a moment in.
            Thread.sleep(10_000);
            Page page = browser.newPage();
            page.setViewportSize(1400, 1000);
            page.onPageError(err -> System.out.println("page error: " + err));
            page.navigate(d.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/overview");
            Locator chart = page.locator(".chart .u-over").first();
            assertThat(chart).isVisible(SLOW);
            assertThat(page.locator("#findings-strip article.finding").first()).isVisible(SLOW); // layout settled
            assertThat(page.locator("#save-moment-snapshot")).isDisabled();

            // Given a plain click in the middle of the threads chart: that is the moment, in the URL and the picker.
            long before = System.currentTimeMillis();
            chart.scrollIntoViewIfNeeded();
            BoundingBox box = chart.boundingBox();
            page.mouse().click(box.x + box.width * 0.5, box.y + box.height / 2);
            assertThat(page).hasURL(Pattern.compile(".*[?&]at=\\d+.*"));
            long at = atOf(page.url());
            // The chart spans the ~10 s since the JVM connected: its middle is a few seconds ago.
            assertThat(at).isBetween(before - 30_000, before - 1_000);
            assertThat(page.locator("#moment-time")).hasValue(Pattern.compile("\\d{2}:\\d{2}:\\d{2}"));
            assertThat(page.locator("#window-range")).hasCount(0); // a click does not brush

            // A drag still brushes a window, and leaves the moment alone.
            page.mouse().move(box.x + box.width * 0.2, box.y + box.height / 2);
            page.mouse().down();
            page.mouse().move(box.x + box.width * 0.8, box.y + box.height / 2, new Mouse.MoveOptions().setSteps(8));
            page.mouse().up();
            assertThat(page.locator("#window-range")).isVisible();
            assertThat(atOf(page.url())).isEqualTo(at);
            page.locator("#clear-range").click();
            assertThat(page.locator("#window-range")).hasCount(0);

            // A reload lands on the same moment (deep link).
            page.reload();
            assertThat(page.locator("#save-moment-snapshot")).isEnabled(new LocatorAssertions.IsEnabledOptions().setTimeout(30_000));
            assertThat(atOf(page.url())).isEqualTo(at);
            Browser.screenshot(page, "moment-picked.png");

            // When saved (±30 s by default), the snapshot's download link shows beside the moment...
            page.locator("#save-moment-snapshot").click();
            Locator saved = page.locator("#moment-snapshot a.snapshot-download");
            assertThat(saved).isVisible(SLOW);
            String snapshotId = saved.getAttribute("data-snapshot-id");
            JsonNode meta = d.get("/api/snapshots/" + snapshotId);
            assertThat(meta.path("fromMs").asLong()).isEqualTo(at - 30_000);
            assertThat(meta.path("toMs").asLong()).isEqualTo(at + 30_000);
            assertThat(meta.path("jvmId").asText()).isEqualTo(id);

            // ... and it is listed with the other snapshots in the Profiles tab, which keeps the moment.
            page.locator("#moment-snapshot-list").click();
            assertThat(page.locator(".tabs a.active")).hasText("Profiles");
            assertThat(atOf(page.url())).isEqualTo(at);
            Locator row = page.locator("#snapshot-list tr[data-snapshot-id='" + snapshotId + "']");
            assertThat(row).isVisible(SLOW);
            Browser.screenshot(page, "moment-snapshot-listed.png");

            // Then the downloaded .jfr parses, and holds the stampede's contention just before and just after the moment.
            Download download = page.waitForDownload(() -> row.locator("a.snapshot-download").click());
            Path file = tmp.resolve("moment.jfr");
            download.saveAs(file);
            assertThat(download.suggestedFilename()).endsWith(".jfr");
            List<Long> contended = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                String type = e.getEventType().getName();
                if ((type.equals("jdk.ThreadPark") || type.equals("jdk.JavaMonitorEnter")) && e.getStackTrace() != null
                        && e.getStackTrace().getFrames().stream().anyMatch(f -> f.getMethod() != null
                        && (f.getMethod().getType().getName() + "." + f.getMethod().getName()).endsWith(LOCK_PATH))) {
                    contended.add(e.getStartTime().toEpochMilli());
                }
            }
            long justBefore = contended.stream().filter(t -> t >= at - 5_000 && t < at).count();
            long justAfter = contended.stream().filter(t -> t > at && t <= at + 5_000).count();
            System.out.println("moment snapshot " + meta.path("sizeBytes").asLong() + " bytes, exact=" + meta.path("exact")
                    + ": contended parks on the cache lock " + contended.size() + ", within 5 s before the moment "
                    + justBefore + ", after " + justAfter);
            assertThat(justBefore).isPositive();
            assertThat(justAfter).isPositive();
            // Its events bracket the moment.
            assertThat(contended.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(at);
            assertThat(contended.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(at);

            // A moment can also be typed (keyboard users): a time of day, the latest one not after now.
            long typed = (at - 7_000) / 1000 * 1000;
            page.locator("#moment-time").fill(LocalTime.ofInstant(Instant.ofEpochMilli(typed), ZoneId.systemDefault())
                    .format(DateTimeFormatter.ofPattern("HH:mm:ss")));
            assertThat(page).hasURL(Pattern.compile(".*[?&]at=" + typed + "(&.*)?$"));
            assertThat(page.locator("#moment-snapshot")).hasText(""); // the other moment's result is gone
            page.locator("#clear-moment").click();
            assertThat(page).hasURL(Pattern.compile("^((?!at=).)*$"));
            assertThat(page.locator("#save-moment-snapshot")).isDisabled();
        }
    }

    private static long atOf(String url) {
        Matcher m = Pattern.compile("[?&]at=(\\d+)").matcher(url);
        assertThat(m.find()).as(url).isTrue();
        return Long.parseLong(m.group(1));
    }
}
