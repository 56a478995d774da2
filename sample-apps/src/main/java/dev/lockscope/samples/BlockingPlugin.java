package dev.lockscope.samples;

/** Broken plugin for {@link Pinning}: its class initializer blocks (a remote settings fetch). */
public final class BlockingPlugin {
    static final String SETTINGS;

    static {
        pause();
        SETTINGS = "fetched";
    }

    private BlockingPlugin() {}

    // Own copy rather than Sleep.millis: this class lives in another loader's runtime package.
    private static void pause() {
        try {
            Thread.sleep(Long.getLong("lockscope.sample.pinning.blockMs", 30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
