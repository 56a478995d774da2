package dev.lockscope.dashboard.waits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.KnownProportionsWorkload;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The time breakdown of a workload whose proportions the workload measures itself (threads that compute half
 * their time and sleep the other half, threads that wait on a future for a known time), through the real agent,
 * the API and the Time tab in Chromium. One JVM and one dashboard serve both tests.
 */
class TimeBreakdownEndToEndTest {
    static final String PAYLOAD = "<img src=x onerror=alert(1)>";
    /** Looks the compared window must hold: 4 threads × 600 looks bound the sampling error of a 50 % share to ±1 %. */
    static final long MIN_LOOKS = 600;
    /** At 20 ms a lightly loaded machine needs about 15 s; a heavily loaded one starves the sampler, so wait longer. */
    static final int MAX_WINDOW_S = 120;
    static final Pattern TRUTH = Pattern.compile("truth at=(\\d+) spin=(\\d+) sleep=(\\d+) futureWait=(\\d+) futureRest=(\\d+)");
    static final Random RANDOM = new Random();

    static RunningDashboard dashboard;
    static ChildJvm app;
    static String id;

    @BeforeAll
    static void start() throws Exception {
        dashboard = RunningDashboard.start();
        long spinMs = 30 + RANDOM.nextInt(41);
        long waitMs = 60 + RANDOM.nextInt(81);
        // Sampling every 20 ms (default 100 ms) so 15 s hold enough looks for a 10 % comparison.
        app = ChildJvm.main(System.getProperty("java.class.path"), KnownProportionsWorkload.class.getName(),
                        String.valueOf(spinMs), String.valueOf(waitMs), "4", "3", PAYLOAD)
                .agent("dashboard=" + dashboard.agentUrl() + ",name=proportions,waits.interval=20ms").start();
        AtomicReference<String> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode j = dashboard.jvmByPid(app.pid());
            if (j != null) {
                found.set(j.path("id").asText());
            }
            return j != null;
        });
        id = found.get();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    static JsonNode waits(int windowS) throws Exception {
        return dashboard.get("/api/jvms/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/waits?window=" + windowS + "s");
    }

    static JsonNode group(JsonNode view, String name) {
        for (JsonNode g : view.path("groups")) {
            if (g.path("name").asText().equals(name)) {
                return g;
            }
        }
        throw new AssertionError("no group " + name + " in " + view.path("groups"));
    }

    static long[] truth(String line) {
        Matcher m = TRUTH.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                Long.parseLong(m.group(5)), Long.parseLong(m.group(1))};
    }

    /** The program's cumulative figures printed closest to {@code ts}. */
    static long[] nearest(long ts) {
        long[] best = null;
        for (String l : app.stdout()) {
            if (l.startsWith("truth")) {
                long[] t = truth(l);
                if (best == null || Math.abs(t[4] - ts) < Math.abs(best[4] - ts)) {
                    best = t;
                }
            }
        }
        return best;
    }

    @Test
    void breakdownOfThreadsWithKnownProportionsMatchesWithinTenPercent() throws Exception {
        // Given a full window of sampling holding enough looks (the shortest such window of 15 s or more)
        AtomicReference<JsonNode> view = new AtomicReference<>();
        AtomicReference<Integer> windowS = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(MAX_WINDOW_S + 60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (int w = 15; w <= MAX_WINDOW_S; w += 5) {
                JsonNode v = waits(w);
                if (!v.path("fullWindow").asBoolean()) {
                    return false;
                }
                if (v.at("/coverage/looks").asLong() >= MIN_LOOKS || w == MAX_WINDOW_S) {
                    view.set(v);
                    windowS.set(w);
                    return true;
                }
            }
            return false;
        });
        // the program's own measurement over the same stretch: its lines nearest the window's two ends
        long fromTs = view.get().path("fromTs").asLong();
        long toTs = view.get().path("toTs").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> app.stdout().stream().filter(l -> l.startsWith("truth"))
                .anyMatch(l -> truth(l)[4] >= toTs));
        long[] begin = nearest(fromTs);
        long[] end = nearest(toTs);
        assertThat(end[4] - begin[4]).isGreaterThan(windowS.get() * 800L);
        double spinShare = (double) (end[0] - begin[0]) / (end[0] - begin[0] + end[1] - begin[1]);
        double waitShare = (double) (end[2] - begin[2]) / (end[2] - begin[2] + end[3] - begin[3]);

        // Then computing threads: running vs sleeping as the program measured them, within 10 % (20 % on a machine
        // with more than 8 runnable threads per core, where the starved sampler overstates running: docs/WAITS.md)
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                / Runtime.getRuntime().availableProcessors();
        double tolerance = load > 8 ? 0.2 : 0.1;
        JsonNode half = group(view.get(), "half-*");
        double wall = half.path("wallMs").asDouble();
        assertThat(half.at("/ms/cpu").asDouble() / wall).as("running share at load %.1f per core", load)
                .isCloseTo(spinShare, within(tolerance * spinShare));
        assertThat(half.at("/ms/sleep").asDouble() / wall).as("sleeping share at load %.1f per core", load)
                .isCloseTo(1 - spinShare, within(tolerance * (1 - spinShare)));
        assertThat(half.path("threadsNow").asInt()).isEqualTo(4);

        // and the future waiters: parked on the future for their measured share, at the site that waits
        JsonNode waiters = group(view.get(), "future-waiter-*");
        double wWall = waiters.path("wallMs").asDouble();
        assertThat(waiters.at("/ms/parked").asDouble() / wWall).isCloseTo(waitShare, within(tolerance * waitShare));
        JsonNode site = null;
        for (JsonNode w : view.get().path("waits")) {
            if (w.path("group").asText().equals("future-waiter-*") && w.path("state").asText().equals("parked")) {
                site = w;
            }
        }
        assertThat(site).isNotNull();
        assertThat(site.path("site").asText()).startsWith(KnownProportionsWorkload.class.getName() + ".awaitQuote(");
        assertThat(site.path("waitsOn").asText()).isEqualTo("java.util.concurrent.CompletableFuture.get");
        assertThat(site.path("threadsWaitingMean").asDouble()).isCloseTo(3 * waitShare, within(tolerance * 3 * waitShare));
        // A thread in a socket read waits on the OS: I/O, not running, though the JVM calls it RUNNABLE.
        JsonNode reader = group(view.get(), "io-reader");
        assertThat(reader.at("/ms/io").asDouble() / reader.path("wallMs").asDouble()).isGreaterThan(0.9);
        // The completer waits for its next scheduled task: idle, not a stall.
        JsonNode completer = group(view.get(), "completer");
        assertThat(completer.at("/ms/idle").asDouble() / completer.path("wallMs").asDouble()).isGreaterThan(0.9);
    }

    @Test
    void timeTabDrawsTheBreakdownAndTheWaitsAndShowsHostileNamesAsText() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> waits(60).path("waits").size() > 0);
        try (Browser browser = Browser.launch()) {
            Page page = browser.newPage();
            List<String> dialogs = new ArrayList<>();
            page.onDialog(d -> {
                dialogs.add(d.message());
                d.dismiss();
            });
            page.navigate(dashboard.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/waits?w=1m");
            page.waitForSelector("#time-groups .time-bar .time-seg[data-state='sleep']");
            assertThat(page.textContent("nav.tabs")).contains("Time");
            assertThat(page.textContent("#time-groups")).contains("half-*").contains("future-waiter-*")
                    .contains("Where the time went, last 1 min");
            page.waitForFunction("() => document.querySelector('#time-waits').textContent.includes('KnownProportionsWorkload.awaitQuote')");
            page.locator("#time-waits tbody tr", new Page.LocatorOptions().setHasText("KnownProportionsWorkload.awaitQuote")).first().click();
            page.waitForSelector("#time-wait-stack");
            assertThat(page.textContent("#time-wait-stack")).contains("java.util.concurrent.CompletableFuture.get")
                    .contains("future-waiter-*");
            assertThat(page.url()).contains("sel=w");
            assertThat(page.textContent("#time-jvm")).contains("GC pauses").contains("Time to safepoint");

            // The window selector re-asks the API for the new window.
            page.click("[data-window='10s']");
            page.waitForFunction("() => document.querySelector('#time-groups h2').textContent.includes('10 s')");

            // A thread named like HTML is shown as text.
            page.waitForFunction("() => document.querySelector('#time-groups').textContent.includes('" + PAYLOAD + "')");
            assertThat((Integer) page.evaluate("() => document.querySelectorAll('img').length")).isZero();
            assertThat(dialogs).isEmpty();
            Browser.screenshot(page, "time-tab.png");
        }
    }
}
