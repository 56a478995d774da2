package dev.lockscope.it;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Paths;
import java.util.List;

/** Real headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright for Java. */
public final class Browser implements AutoCloseable {
    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;

    private Browser() {
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(java.util.Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new com.microsoft.playwright.BrowserType.LaunchOptions()
                .setExecutablePath(Paths.get("/usr/bin/chromium"))
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run")));
    }

    public static Browser launch() {
        return new Browser();
    }

    /** A fresh page (own context: no cookies shared with other pages). */
    public Page newPage() {
        return browser.newContext().newPage();
    }

    /** Saves a full-page screenshot under target/screenshots (the README's pictures come from these). */
    public static void screenshot(Page page, String name) {
        java.nio.file.Path dir = java.nio.file.Paths.get("target", "screenshots");
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(name)).setFullPage(true));
    }

    /** Saves what the viewport shows to {@code docs/screenshots/<name>} of the checkout (the README embeds these). */
    public static void readmeScreenshot(Page page, String name) {
        java.nio.file.Path dir = Jars.ROOT.resolve("docs/screenshots");
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(name)));
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
