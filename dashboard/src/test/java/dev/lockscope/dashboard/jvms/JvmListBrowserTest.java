package dev.lockscope.dashboard.jvms;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The JVM list in real Chromium: live without reload, and hostile names shown as text. */
class JvmListBrowserTest {
    static final String HOSTILE = "<img src=x onerror=alert(1)>";

    @Test
    void theListShowsAJvmThatConnectsAfterThePageLoadedAndRendersAHostileNameAsText() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start(); Browser browser = Browser.launch()) {
            Page page = browser.newPage();
            AtomicInteger dialogs = new AtomicInteger();
            page.onDialog(d -> {
                dialogs.incrementAndGet();
                d.dismiss();
            });
            page.navigate(dashboard.url() + "/");
            assertThat(page.locator("#jvm-list")).containsText("No JVM connected yet");

            try (ChildJvm app = ChildJvm.sample("saturated-pool", "--duration=60")
                    .agent("dashboard=" + dashboard.agentUrl() + ",name=" + HOSTILE).start()) {
                Locator row = page.locator("tr.jvm-row").first();
                assertThat(row).isVisible(new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions().setTimeout(15_000));
                assertThat(row.locator(".jvm-name")).hasText(HOSTILE);
                assertThat(row).containsText(Long.toString(app.pid()));
                assertThat(row).containsText("connected");
                assertThat(page.locator("img[src=x]")).hasCount(0);

                row.click();
                assertThat(page.locator("#jvm-header .jvm-name")).hasText(HOSTILE);
                assertThat(page.locator(".tabs a.active")).hasText("Overview");
                assertThat(page.locator(".chart canvas").first()).isVisible();
                // the sample's own pool is one click from the Pools tab
                assertThat(page.locator("#top-pools a.top-pool").first()).containsText("orders-worker",
                        new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
                Browser.screenshot(page, "jvm-overview.png");
                assertThat(page.locator("img[src=x]")).hasCount(0);

                page.navigate(dashboard.url() + "/#/");
                app.close();
                assertThat(page.locator("tr.jvm-row").first()).containsText("disconnected",
                        new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
            }
            assertThat(dialogs.get()).as("script dialogs opened").isZero();
        }
    }
}
