package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The Pools tab in real Chromium: a saturated pool is marked, its HTML-laden name shows as text, deep links work. */
class PoolsTabBrowserTest {

    @Test
    void poolsTabShowsAHostileThreadPrefixAsTextMarksItSaturatedAndDeepLinksToItsDetail() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(PoolsApi.childClasspath(), HostilePoolApp.class.getName())
                     .agent("dashboard=" + d.agentUrl() + ",name=hostile").start();
             Browser browser = Browser.launch()) {
            app.awaitLine("^ready$", Duration.ofSeconds(20));
            PoolsApi api = new PoolsApi(d, app.pid());
            String name = "<img src=x onerror=alert(1)>";
            JsonNode pool = api.awaitPool(name, "60s", Duration.ofSeconds(30), p -> p.path("saturated").asBoolean());
            assertThat(pool.path("threadPrefix").asText()).isEqualTo(HostilePoolApp.PREFIX);

            Page page = browser.newPage();
            List<String> dialogs = new CopyOnWriteArrayList<>();
            page.onDialog(dialog -> {
                dialogs.add(dialog.message());
                dialog.dismiss();
            });
            page.navigate(d.url() + "/#/jvm/" + api.jvmId() + "/pools");
            Locator row = page.locator("#pools-table tbody tr", new Page.LocatorOptions().setHasText(name));
            row.first().waitFor();
            assertThat(row.first().locator(".pool-name").textContent()).isEqualTo(name);
            assertThat(page.locator("#pools-table img").count()).isZero();
            page.locator("#pools-table tbody tr .pool-saturated").first().waitFor();
            assertThat(row.first().locator(".pool-saturated").textContent()).isEqualTo("SATURATED");

            row.first().click();
            page.locator("#pool-reason").waitFor();
            assertThat(page.locator("#pool-reason").textContent()).contains("all 1 workers busy and the queue is growing");
            assertThat(page.url()).contains("sel=" + pool.path("id").asText());

            // deep link: a colleague opening the same URL lands on the same pool's detail
            Page other = browser.newPage();
            other.navigate(page.url());
            other.locator("#pool-detail-card .pool-name").waitFor();
            assertThat(other.locator("#pool-detail-card .pool-name").textContent()).isEqualTo(name);
            assertThat(other.locator("#pool-detail-card img").count()).isZero();
            assertThat(other.locator("#pool-detail-card .chart").count()).isEqualTo(4);
            assertThat(dialogs).isEmpty();
            assertThat(api.suppressedErrors()).isZero();
        }
    }
}
