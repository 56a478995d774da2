package dev.lockscope.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Frame;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.dashboard.agents.RawAgentSocket;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.HostileNamesProgram;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One real JVM whose threads, class, locks, deadlock and pool are all named {@code </script><img src=x
 * onerror=alert(1)>} ({@link HostileNamesProgram}), shown by a token-protected dashboard in real Chromium: every
 * page that shows names renders them as visible text, no dialog fires and no element is injected. Along the way
 * the token never appears in a URL the browser requests nor in any log, and every response carries the CSP.
 */
class HostileNamesAndTokenBrowserTest {
    private static final String NAME = HostileNamesProgram.NAME;
    private static final String MARKUP = "<img src=x onerror=alert(1)>";

    @Test
    void hostileNamesAreInertTextOnEveryPageAndTheTokenNeverLeaksIntoUrlsOrLogs() throws Exception {
        String token = "tok-" + Long.toHexString(System.nanoTime()) + "-secret";
        String wrongToken = "wrong-" + Long.toHexString(System.nanoTime());
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        // The dashboard logs through slf4j-simple to whatever System.err is at the time: capture it (and stdout).
        System.setErr(new PrintStream(tee(originalErr, logs), true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(tee(originalOut, logs), true, StandardCharsets.UTF_8));
        List<String> urls = new CopyOnWriteArrayList<>();
        List<String> dialogs = new CopyOnWriteArrayList<>();
        List<String> missingCsp = new CopyOnWriteArrayList<>();
        try (RunningDashboard d = RunningDashboard.start(DashboardConfig.defaults().withPort(0).withToken(token));
             ChildJvm app = ChildJvm.main(System.getProperty("java.class.path"), HostileNamesProgram.class.getName())
                     .agent("dashboard=" + d.agentUrl() + ",name=" + NAME + ",token=" + token).start();
             Browser browser = Browser.launch()) {
            app.awaitLine("^ready", Duration.ofSeconds(30));
            HttpRequest.Builder authorised = HttpRequest.newBuilder(URI.create(d.url() + "/api/jvms"))
                    .header("Authorization", "Bearer " + token);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .until(() -> d.send(authorised).body().contains("onerror"));
            String id = Json.MAPPER.readTree(d.send(authorised).body()).get(0).path("id").asText();
            String jvmPath = "/#/jvm/" + URLEncoder.encode(id, StandardCharsets.UTF_8);

            // Wrong tokens are refused, and neither they nor the right one are echoed anywhere.
            try (RawAgentSocket intruder = new RawAgentSocket(d.agentUrl(), "Authorization", "Bearer " + wrongToken)) {
                assertThat(intruder.closedWith.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
            }
            assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/jvms"))
                    .header("Authorization", "Bearer " + wrongToken)).statusCode()).isEqualTo(401);

            Page page = browser.newPage();
            page.onRequest(r -> urls.add(r.url()));
            page.onDialog(dialog -> {
                dialogs.add(dialog.message());
                dialog.dismiss();
            });
            page.onResponse(r -> {
                if (r.url().startsWith(d.url()) && r.status() != 304) {
                    String csp = r.headers().get("content-security-policy");
                    boolean ok = r.url().contains("/html") ? csp != null && csp.contains("sandbox") : RequestGuard.CSP.equals(csp);
                    if (!ok) {
                        missingCsp.add(r.url() + " -> " + csp);
                    }
                }
            });

            page.navigate(d.url() + "/");
            page.locator("#token").fill(wrongToken);
            page.locator("button[type=submit]").click();
            page.locator("p.error").getByText("wrong token").waitFor();
            page.locator("#token").fill(token);
            page.locator("button[type=submit]").click();

            // Home: the JVM list, its name is the payload.
            assertInert(page, "home", NAME);
            page.navigate(d.url() + jvmPath + "/overview");
            assertInert(page, "overview", MARKUP);
            page.locator("#findings-strip").getByText("eadlock").first().waitFor(new Locator.WaitForOptions().setTimeout(30_000));
            assertInert(page, "findings strip", MARKUP);
            for (String tab : List.of("locks", "pools", "waits")) {
                page.navigate(d.url() + jvmPath + "/" + tab);
                assertInert(page, tab + " tab", tab.equals("waits") ? null : MARKUP);
            }

            page.navigate(d.url() + jvmPath + "/threads");
            page.locator("#take-dump").click();
            page.locator("#capture-view h2").waitFor(new Locator.WaitForOptions().setTimeout(30_000));
            assertInert(page, "thread dump view", NAME + "-a");

            page.navigate(d.url() + jvmPath + "/profiles");
            page.selectOption("#profile-event", "wall");
            page.fill("#profile-duration", "2");
            page.click("#profile-start");
            page.locator("#profile-list .profile-status .badge.ok").waitFor(new Locator.WaitForOptions().setTimeout(60_000));
            page.locator("iframe#flamegraph").waitFor();
            // The sandboxed viewer gets its own renderer process: slow to start on a loaded machine.
            Frame[] viewer = new Frame[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                viewer[0] = page.frames().stream().filter(f -> f.url().contains("/html")).findFirst().orElse(null);
                return viewer[0] != null;
            });
            Frame graph = viewer[0];
            graph.waitForFunction("() => typeof levels !== 'undefined' && levels.length > 2");
            Object titles = graph.evaluate("() => levels.flat().map(f => f.title).filter(t => t.includes('onerror')).length");
            assertThat(((Number) titles).intValue()).as("flame graph frames named with the payload").isPositive();
            assertInert(page, "profiles tab and its flame graph viewer", null);

            assertThat(dialogs).as("dialogs").isEmpty();
            assertThat(missingCsp).as("responses without the CSP").isEmpty();
            assertThat(urls).as("URLs the browser requested").isNotEmpty().noneMatch(u -> u.contains(token) || u.contains(wrongToken));
            assertThat(String.join("\n", app.stdout()) + String.join("\n", app.stderr())).doesNotContain(token);
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        String captured = logs.toString(StandardCharsets.UTF_8);
        assertThat(captured).contains("refused agent connection").doesNotContain(token).doesNotContain(wrongToken);
    }

    /**
     * {@code expected} (when given) shows up as text on the page; no element came from a name (no
     * {@code img[src=x]}, no {@code onerror} attribute, in any frame) and no dialog fired.
     */
    private static void assertInert(Page page, String where, String expected) {
        if (expected != null) {
            page.waitForFunction("t => document.body.innerText.includes(t)", expected,
                    new Page.WaitForFunctionOptions().setTimeout(30_000));
        }
        for (Frame f : page.frames()) {
            if (f.isDetached()) {
                continue;
            }
            f.waitForLoadState();
            Object injected = f.evaluate("() => document.querySelectorAll('img[src=\"x\"], [onerror]').length");
            assertThat(((Number) injected).intValue()).as("%s: injected elements in %s", where, f.url()).isZero();
        }
    }

    private static OutputStream tee(OutputStream a, ByteArrayOutputStream b) {
        return new OutputStream() {
            @Override
            public void write(int c) throws java.io.IOException {
                write(new byte[] {(byte) c}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] buf, int off, int len) {
                try {
                    a.write(buf, off, len);
                } catch (java.io.IOException e) {
                    // the console went away; the capture still counts
                }
                b.write(buf, off, len);
            }
        };
    }
}
