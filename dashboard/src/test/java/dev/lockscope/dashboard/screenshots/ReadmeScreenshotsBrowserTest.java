package dev.lockscope.dashboard.screenshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Takes the README's pictures (docs/screenshots/*.png) from real pages with real data: three broken samples
 * under the real agent, each page opened in real Chromium once it shows what it is for.
 */
class ReadmeScreenshotsBrowserTest {
    private static final Locator.WaitForOptions LONG = new Locator.WaitForOptions().setTimeout(60_000);

    @Test
    void everyPageIsPhotographedWithRealDataForTheReadme() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm cache = ChildJvm.sample("cache-stampede").agent("dashboard=" + d.agentUrl() + ",name=checkout-cache").start();
             ChildJvm pool = ChildJvm.sample("saturated-pool").agent("dashboard=" + d.agentUrl() + ",name=report-pool").start();
             ChildJvm deadlock = ChildJvm.sample("deadlock").agent("dashboard=" + d.agentUrl() + ",name=payments").start();
             Browser browser = Browser.launch()) {
            long t0 = System.nanoTime();
            String cacheId = jvmId(d, cache);
            String poolId = jvmId(d, pool);
            String deadlockId = jvmId(d, deadlock);
            deadlock.awaitLine("cycle formed at", Duration.ofSeconds(60));
            System.out.printf("screenshots: jvms connected, deadlock formed after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            // A lock profile of the stampede, so the Profiles page has a flame graph to show.
            await().atMost(Duration.ofSeconds(60)).until(() -> d.get("/api/jvms/" + cacheId).path("features").toString().contains("\"profile\""));
            HttpResponse<String> started = d.post("/api/jvms/" + cacheId + "/profiles", "{\"event\":\"lock\",\"duration\":4}");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
            String profileId = Json.MAPPER.readTree(started.body()).path("id").asText();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> d.get("/api/profiles/" + profileId).path("status").asText(), s -> !s.equals("running"));
            System.out.printf("screenshots: profile done after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            String topLock = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> d.get("/api/jvms/" + cacheId + "/locks?window=60s").path("locks").path(0).path("id").asText(""),
                            id -> !id.isEmpty());
            String topPool = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> saturatedPool(d, poolId), id -> !id.isEmpty());

            System.out.printf("screenshots: top lock and saturated pool found after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Page page = browser.newPage();
            page.setViewportSize(1280, 640);
            page.navigate(d.url() + "/");
            page.locator("tr.jvm-row .deadlock-badge").waitFor(LONG);
            page.locator("tr.jvm-row").nth(2).waitFor(LONG);
            Browser.readmeScreenshot(page, "home.png");

            page.setViewportSize(1280, 1500); // tall enough for header, findings and the tab itself

            page.navigate(d.url() + "/#/jvm/" + cacheId + "/overview?w=1m");
            page.locator("#top-locks .top-lock").first().waitFor(LONG);
            page.waitForTimeout(1500); // let the charts draw a few samples
            Browser.readmeScreenshot(page, "overview.png");

            page.navigate(d.url() + "/#/jvm/" + cacheId + "/locks?w=1m&sel=" + topLock);
            page.locator("#lock-waiters").waitFor(LONG);
            Browser.readmeScreenshot(page, "locks.png");

            page.navigate(d.url() + "/#/jvm/" + poolId + "/pools?w=1m&sel=" + topPool);
            page.locator("#pool-reason").waitFor(LONG);
            Browser.readmeScreenshot(page, "pools.png");

            page.navigate(d.url() + "/#/jvm/" + poolId + "/waits?w=1m");
            page.locator("#time-groups .time-group").first().waitFor(LONG);
            Browser.readmeScreenshot(page, "time.png");

            page.navigate(d.url() + "/#/jvm/" + deadlockId + "/threads?w=1m");
            page.locator(".cycle-graph").first().waitFor(LONG);
            Browser.readmeScreenshot(page, "threads.png");

            page.navigate(d.url() + "/#/jvm/" + cacheId + "/profiles?w=1m&sel=" + profileId);
            page.locator("iframe#flamegraph").waitFor(LONG);
            page.frameLocator("iframe#flamegraph").locator("#canvas").waitFor(LONG);
            page.waitForTimeout(1000);
            Browser.readmeScreenshot(page, "profiles.png");

            System.out.printf("screenshots: screenshots taken after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            for (String name : new String[] {"home", "overview", "locks", "pools", "time", "threads", "profiles"}) {
                assertThat(Files.size(Jars.ROOT.resolve("docs/screenshots/" + name + ".png"))).isGreaterThan(10_000);
            }
        }
    }

    private static String jvmId(RunningDashboard d, ChildJvm app) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    JsonNode j = d.jvmByPid(app.pid());
                    return j == null ? "" : j.path("id").asText();
                }, id -> !id.isEmpty());
    }

    private static String saturatedPool(RunningDashboard d, String jvmId) throws Exception {
        for (JsonNode p : d.get("/api/jvms/" + jvmId + "/pools?window=60s").path("pools")) {
            if (p.path("saturated").asBoolean()) {
                return p.path("id").asText();
            }
        }
        return "";
    }
}
