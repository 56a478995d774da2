package dev.lockscope.dashboard.imports;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.lockscope.it.Browser;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A person uploads a jcmd dump of a deadlocked JVM (and a file that is no dump) on the JVM list. */
class ImportBrowserTest {
    @TempDir
    Path dir;

    @Test
    void anUploadedJcmdDumpOfADeadlockShowsAsAReadOnlyJvmWithTheDeadlockFindingAndTheUnreadableFileNamed() throws Exception {
        // given a jcmd Thread.print of the deadlock sample, and a file that is no thread dump
        Path dump = dir.resolve("checkout-dump.txt");
        try (ChildJvm app = ChildJvm.sample("deadlock", "--duration=60").start()) {
            app.awaitLine("cycle formed at", Duration.ofSeconds(30));
            Process p = new ProcessBuilder(Jars.defaultJavaHome().resolve("bin/jcmd").toString(), Long.toString(app.pid()),
                    "Thread.print").redirectErrorStream(true).start();
            Files.write(dump, p.getInputStream().readAllBytes());
            p.waitFor();
        }
        Path notes = dir.resolve("notes.bin");
        Files.write(notes, new byte[] {0, 1, 2, 3, 'x', 0});
        try (RunningDashboard d = RunningDashboard.start(); Browser browser = Browser.launch()) {
            Page page = browser.newPage();
            page.navigate(d.url() + "/");
            // when they open "Import", choose both files and press Import
            page.locator("details.import-form summary").click();
            page.locator("#import-files").setInputFiles(new Path[] {dump, notes});
            page.locator("#import-button").click();
            // then the unreadable file is named with the reason, and the import links to its JVM
            assertThat(page.locator("#import-status .import-problems")).containsText(
                    "notes.bin: neither a thread dump (text) nor a JFR recording");
            assertThat(page.locator("#import-open")).hasText("import: checkout-dump.txt, notes.bin");
            // and the JVM list shows it as imported, with the deadlock badge
            Locator row = page.locator("tr.jvm-row", new Page.LocatorOptions().setHasText("checkout-dump.txt"));
            assertThat(row.locator(".badge.off")).hasText("imported");
            assertThat(row.locator(".badge.crit").first()).isVisible();
            // when they open it: the deadlock finding with its cycle, like a live JVM
            page.locator("#import-open").click();
            Locator finding = page.locator("#findings-strip article.finding.critical").first();
            assertThat(finding.locator(".finding-title")).containsText("Deadlock: transfer-");
            assertThat(finding.locator(".finding-explanation")).containsText("circular wait");
            Browser.screenshot(page, "import-deadlock.png");
            // and its thread dump is there, read-only: taking a new one is refused because nothing is connected
            JsonNode jvms = d.get("/api/jvms");
            String id = jvms.get(0).path("id").asText();
            org.assertj.core.api.Assertions.assertThat(id).startsWith("import-");
            org.assertj.core.api.Assertions.assertThat(d.get("/api/jvms/" + id + "/threaddumps").size()).isEqualTo(1);
            var take = d.post("/api/jvms/" + id + "/threaddump", "{}");
            org.assertj.core.api.Assertions.assertThat(take.statusCode()).isEqualTo(503);
            org.assertj.core.api.Assertions.assertThat(new String(take.body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                    .contains("is not connected");
        }
    }
}
