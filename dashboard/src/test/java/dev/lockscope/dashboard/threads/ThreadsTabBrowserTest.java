package dev.lockscope.dashboard.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The Threads tab in real Chromium, against real JVMs with the real agent. */
class ThreadsTabBrowserTest {
    /**
     * Only the test classes: the test class path also holds the unshaded agent modules, which must not shadow
     * the real agent jar in the child.
     */
    static final String CP = StableThreads.classPath();
    private static final String IMG = "<img src=x onerror=alert(1)>";
    private static final String SCRIPT = "</script><script>alert(2)</script>";

    @Test
    void dumpShowsHostileNamesAsTextAndGroupingFilteringAndWaitForGraphWorkByClick() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, StableThreads.class.getName(), "9", IMG, SCRIPT)
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=hostile").start();
             Browser browser = Browser.launch()) {
            app.awaitLine("^ready", Duration.ofSeconds(30));
            String id = ThreadDumpEndToEndTest.awaitJvm(dashboard, app);
            Page page = browser.newPage();
            List<String> dialogs = new CopyOnWriteArrayList<>();
            page.onDialog(d -> {
                dialogs.add(d.message());
                d.dismiss();
            });
            page.navigate(dashboard.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/threads");

            // take a dump by click
            page.locator("#take-dump").click();
            page.locator("#capture-view h2").waitFor();
            assertThat(page.locator("#capture-view h2").textContent()).contains("threads");

            // grouped by stack: the 3 stable-blocked threads + 2 hostile ones, BLOCKED on M in enterM, share a
            // stack (or two: HotSpot may report either line of the synchronized block for a blocked frame)
            Locator groups = page.locator("#capture-body .group");
            assertThat(groups.count()).isGreaterThan(3);
            Locator blockedGroups = groups.filter(new Locator.FilterOptions().setHasText("StableThreads.enterM"));
            List<String> counts = blockedGroups.locator(".group-count").allTextContents();
            assertThat(counts).hasSizeBetween(1, 2);
            assertThat(counts.stream().mapToInt(c -> Integer.parseInt(c.replace(" × ", ""))).sum()).isEqualTo(5);
            String names = String.join(", ", blockedGroups.locator(".group-names").allTextContents());
            assertThat(names).contains(IMG).contains(SCRIPT).contains("stable-blocked-5");
            // hostile names are text: no element was created from them, no script ran
            assertThat(page.locator("#capture-view img").count()).isZero();
            assertThat(page.locator("#capture-view script").count()).isZero();
            // click a group: its stack opens
            Locator blockedGroup = blockedGroups.first();
            assertThat(blockedGroup.locator(".stack").isVisible()).isFalse();
            blockedGroup.locator(".group-head").click();
            assertThat(blockedGroup.locator(".stack").isVisible()).isTrue();
            assertThat(blockedGroup.locator(".stack").textContent()).contains("StableThreads.enterM").contains("Thread.run");

            // filter by state
            page.locator("#state-filter").selectOption("BLOCKED");
            List<String> states = page.locator("#capture-body .group .group-head .badge:not(.group-count)").allTextContents();
            assertThat(states).isNotEmpty().allMatch("BLOCKED"::equals);
            // filter by name
            page.locator("#state-filter").selectOption("");
            page.locator("#name-filter").fill("chain-");
            assertThat(page.locator("#capture-body .group-names").allTextContents())
                    .containsExactlyInAnyOrder("chain-a", "chain-b", "chain-c");
            // search in frames
            page.locator("#name-filter").fill("");
            page.locator("#frame-search").fill("StableThreads.waitForever");
            assertThat(page.locator("#capture-body .group-names").allTextContents())
                    .containsExactly("stable-waiter-1, stable-waiter-4, stable-waiter-7");
            page.locator("#frame-search").fill("");

            // the flat list shows the hostile names as text too
            page.locator("[data-view=list]").click();
            assertThat(page.locator("#capture-body .thread-name").allTextContents()).contains(IMG, SCRIPT);

            // wait-for graph: longest chain first (chain-c <- chain-b <- chain-a), then the holder of M
            page.locator("[data-view=graph]").click();
            Locator roots = page.locator("#capture-body .wf-roots > .wf-node");
            roots.first().waitFor();
            Locator first = roots.first();
            assertThat(first.locator(".wf-head").first().locator(".thread-name").textContent()).isEqualTo("chain-c");
            assertThat(first.locator(".wf-children .thread-name").allTextContents()).containsExactly("chain-b", "chain-a");
            Locator holder = roots.filter(new Locator.FilterOptions().setHasText("stable-holder"));
            assertThat(holder.locator(".wf-children .thread-name").allTextContents())
                    .contains("stable-blocked-2", IMG, SCRIPT).hasSize(5);
            // collapse by click
            first.locator(".wf-toggle").first().click();
            assertThat(first.locator(".wf-children").first().isVisible()).isFalse();

            // jstack text view: the JVM's own text, shown as text
            page.locator("[data-view=text]").click();
            page.locator("pre.jstack").waitFor();
            assertThat(page.locator("pre.jstack").textContent()).contains("Full thread dump").contains("\"" + IMG + "\"");

            // compare two captures
            page.locator("#take-dump").click();
            page.locator("#compare-go").waitFor();
            page.locator("#compare-go").click();
            page.locator("#compare-result table").waitFor();
            assertThat(page.locator("#compare-result .thread-name").allTextContents()).contains("chain-a", IMG, "rl-waiter");
            // captures list with download links
            assertThat(page.locator("#captures tbody tr").count()).isEqualTo(2);
            assertThat(page.locator("#captures a", new Page.LocatorOptions().setHasText("text")).first().getAttribute("href"))
                    .matches("/api/threaddumps/td\\d+\\?format=text&download=true");

            assertThat(dialogs).isEmpty();
            assertThat(dashboard.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }

    @Test
    void twoThousandThreadsRenderInEveryViewAndFiltersStayQuick() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, StableThreads.class.getName(), "2000").jvmArg("-Xss256k")
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=many").start();
             Browser browser = Browser.launch()) {
            app.awaitLine("^ready", Duration.ofSeconds(120));
            String id = ThreadDumpEndToEndTest.awaitJvm(dashboard, app);
            Page page = browser.newPage();
            page.navigate(dashboard.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/threads");
            page.locator("#take-dump").waitFor();

            long t0 = System.nanoTime();
            page.locator("#take-dump").click();
            page.locator("#capture-body .group").first().waitFor(new Locator.WaitForOptions().setTimeout(60_000));
            long dumpShown = (System.nanoTime() - t0) / 1_000_000;
            // the 666 threads blocked on M share one or two stacks (HotSpot reports the monitorenter line of a
            // blocked frame as either line of the synchronized block, depending on where the thread stopped)
            page.locator("#name-filter").fill("stable-blocked-");
            List<String> counts = page.locator("#capture-body .group .group-count").allTextContents();
            assertThat(counts).hasSizeBetween(1, 2);
            assertThat(counts.stream().mapToInt(c -> Integer.parseInt(c.replace(" × ", ""))).sum()).isEqualTo(666);
            page.locator("#name-filter").fill("");

            long t1 = System.nanoTime();
            page.locator("[data-view=list]").click();
            page.locator("#capture-body table").waitFor();
            long listShown = (System.nanoTime() - t1) / 1_000_000;
            assertThat(page.locator("#capture-body tbody tr").count()).isEqualTo(500); // capped, with a note
            assertThat(page.locator("#capture-body").textContent()).contains("showing 500 of 20");

            long t2 = System.nanoTime();
            page.locator("[data-view=graph]").click();
            page.locator("#capture-body .wf-roots").waitFor();
            long graphShown = (System.nanoTime() - t2) / 1_000_000;

            long t3 = System.nanoTime();
            page.locator("#name-filter").fill("stable-waiter-1999");
            page.locator("[data-view=groups]").click();
            page.locator("#capture-body .group-names", new Page.LocatorOptions().setHasText("stable-waiter-1999")).waitFor();
            long filtered = (System.nanoTime() - t3) / 1_000_000;
            assertThat(page.locator("#capture-body .group").count()).isEqualTo(1);

            System.out.printf("browser, 2,000 threads: dump taken and grouped view shown %d ms after the click; "
                    + "thread list %d ms; wait-for graph %d ms; name filter + grouped view %d ms%n",
                    dumpShown, listShown, graphShown, filtered);
            assertThat(dumpShown).isLessThan(30_000);
            assertThat(listShown + graphShown + filtered).isLessThan(30_000);
        }
    }

    @Test
    void deadlockRaisesTheBannerWithItsCycleAndFlagsTheJvmInTheList() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("deadlock", "--threads=3")
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=bank").start();
             Browser browser = Browser.launch()) {
            String id = ThreadDumpEndToEndTest.awaitJvm(dashboard, app);
            Page page = browser.newPage();
            page.navigate(dashboard.url() + "/#/");
            app.awaitLine("cycle formed at", Duration.ofSeconds(30));
            // the home page flags it
            Locator row = page.locator("tr.jvm-row", new Page.LocatorOptions().setHasText("bank"));
            row.locator(".deadlock-badge").waitFor(new Locator.WaitForOptions().setTimeout(10_000));
            assertThat(row.locator(".deadlock-badge").textContent()).isEqualTo("DEADLOCK");

            page.navigate(dashboard.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/threads");
            Locator banner = page.locator("#deadlock-banner .banner");
            banner.waitFor(new Locator.WaitForOptions().setTimeout(10_000));
            assertThat(banner.textContent()).contains("Deadlock detected").contains("3 threads in 1 cycle");
            assertThat(page.locator("#deadlock-banner svg.cycle-graph .node-label").allTextContents())
                    .containsExactly("transfer-0", "transfer-1", "transfer-2");
            assertThat(page.locator("#deadlock-banner svg.cycle-graph .edge").count()).isEqualTo(3);
            assertThat(page.locator("#deadlock-banner .cycle-thread").first().textContent())
                    .contains("Deadlock$Account@").contains("owned by transfer-1").contains("taken in Deadlock.lockBoth");
            // one click to the dump captured at detection
            page.locator("#deadlock-banner .dump-link").click();
            page.locator("#capture-view h2").waitFor();
            assertThat(page.locator("#capture-view h2").textContent()).contains("taken at deadlock detection");
            page.locator("[data-view=graph]").click();
            assertThat(page.locator("#capture-body .wf-deadlocked .thread-name").first().textContent()).startsWith("transfer-");
            await().atMost(Duration.ofSeconds(5)).until(() -> page.url().contains("sel=td"));
        }
    }
}
