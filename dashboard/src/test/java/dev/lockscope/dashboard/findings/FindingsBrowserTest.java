package dev.lockscope.dashboard.findings;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import org.junit.jupiter.api.Test;

/** Findings as a person sees them: a badge in the JVM list, the strip on the JVM page, a link to the evidence. */
class FindingsBrowserTest {

    @Test
    void aDeadlockShowsAsABadgeAndAFindingWhoseEvidenceLinkOpensTheCapturedDump() throws Exception {
        try (RunningDashboard d = FindingsSupport.dashboard(); Browser browser = Browser.launch();
             ChildJvm app = ChildJvm.sample("deadlock", "--threads=3")
                     .agent("dashboard=" + d.agentUrl() + ",name=bank").start()) {
            Page page = browser.newPage();
            page.navigate(d.url() + "/");
            Locator row = page.locator("tr.jvm-row", new Page.LocatorOptions().setHasText("bank"));
            assertThat(row.locator(".badge.crit").first()).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(30_000));
            row.click();
            Locator finding = page.locator("#findings-strip article.finding.critical").first();
            assertThat(finding).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(15_000));
            assertThat(finding.locator(".finding-title")).containsText("Deadlock: transfer-");
            assertThat(finding.locator(".finding-explanation")).containsText("circular wait");
            assertThat(finding.locator(".finding-fix")).containsText("global order");
            Browser.screenshot(page, "findings-deadlock.png");
            finding.locator("button.evidence-link", new Locator.LocatorOptions().setHasText("Thread dump")).click();
            assertThat(page.locator(".tabs a.active")).hasText("Threads");
            assertThat(page).hasURL(java.util.regex.Pattern.compile(".*/threads\\?.*sel=.+"));
        }
    }
}
