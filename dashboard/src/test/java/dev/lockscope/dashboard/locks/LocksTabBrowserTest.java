package dev.lockscope.dashboard.locks;

import static dev.lockscope.dashboard.locks.LockTestSupport.assertInstrumentationActive;
import static dev.lockscope.dashboard.locks.LockTestSupport.awaitInstrumented;
import static dev.lockscope.dashboard.locks.LockTestSupport.awaitLocks;
import static dev.lockscope.dashboard.locks.LockTestSupport.go;
import static dev.lockscope.dashboard.locks.LockTestSupport.program;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Locks tab in a real Chromium, fed by a real JVM whose thread names are an HTML injection attempt. */
class LocksTabBrowserTest {
    static final String PAYLOAD = "<img src=x onerror=alert(1)>";

    @Test
    void locksTabShowsAContendedLockAndRendersHostileThreadNamesAsText() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = program(d, "xss-locks", "xss", "8", "400").start();
             Browser browser = Browser.launch()) {
            String id = awaitInstrumented(d, app);
            go(app);
            JsonNode ranking = awaitLocks(d, id, j -> j.path("locks").size() > 0
                    && j.at("/locks/0/owner/thread").asText().startsWith(PAYLOAD));
            String lockId = ranking.at("/locks/0/id").asText();
            assertInstrumentationActive(d.jvmByPid(app.pid()).path("sample"));

            Page page = browser.newPage();
            List<String> dialogs = new ArrayList<>();
            page.onDialog(dlg -> {
                dialogs.add(dlg.message());
                dlg.dismiss();
            });
            page.navigate(d.url() + "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/locks?w=1m");
            page.waitForSelector("#locks-ranking tbody tr.clickable");
            String rankingText = page.textContent("#locks-ranking");
            assertThat(rankingText).contains("ReentrantLock at ContentionProgram.acquire");

            // Click the lock: the detail panel opens, the URL carries the selection (deep link).
            page.click("#locks-ranking tbody tr.clickable");
            page.waitForSelector("#lock-waiters ul.calltree");
            assertThat(page.url()).contains("sel=" + URLEncoder.encode(lockId, StandardCharsets.UTF_8).replace("+", "%20"));
            assertThat(page.textContent("#lock-waiters")).contains("ContentionProgram.acquire");
            assertThat(page.textContent("#lock-detail")).contains("Wait histogram");

            // The hostile thread name is shown literally, never parsed as HTML.
            page.waitForFunction("() => document.body.textContent.includes('" + PAYLOAD + "')");
            assertThat((Integer) page.evaluate("() => document.querySelectorAll('img').length")).isZero();
            page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/locks-tab.png")).setFullPage(true));

            // A deep link opens the same selection directly.
            Page linked = browser.newPage();
            linked.navigate(page.url());
            linked.waitForSelector("#lock-waiters ul.calltree");
            assertThat(linked.textContent("#lock-detail")).contains(ranking.at("/locks/0/name").asText());
            assertThat(dialogs).isEmpty();
        }
    }
}
