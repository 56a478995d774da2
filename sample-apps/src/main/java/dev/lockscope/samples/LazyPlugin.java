package dev.lockscope.samples;

/** Fixed plugin for {@link Pinning}: the initializer does nothing slow; the fetch happens on first use. */
public final class LazyPlugin {
    private static volatile String settings;

    private LazyPlugin() {}

    public static String settings() {
        String s = settings;
        if (s == null) {
            pause(); // outside <clinit>: no pinning
            settings = s = "fetched";
        }
        return s;
    }

    // Own copy rather than Sleep.millis: this class lives in another loader's runtime package.
    private static void pause() {
        try {
            Thread.sleep(Long.getLong("lockscope.sample.pinning.blockMs", 30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
