package dev.lockscope.agent.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cpu and lock profile of an incident capture, recorded in one engine session (see
 * {@link ProfileFeature#startIncidentProfile}). {@link #stop} ends it and writes the two flame graphs' collapsed
 * stacks; the engine's JFR file stays where it was recorded.
 */
public final class IncidentProfile {
    /** What {@link #stop} produced: the engine, why it is not async-profiler (or null), samples per graph. */
    public record Result(String engine, String engineNote, Path jfr, long cpuSamples, long lockSamples) {}

    /** Stops the engine and gives the profile slot back; throws what the engine threw. */
    interface Stopper {
        void stop() throws Exception;
    }

    private final String engine;
    private final String engineNote;
    private final Path jfr;
    private final Stopper stopper;
    private boolean stopped;

    IncidentProfile(String engine, String engineNote, Path jfr, Stopper stopper) {
        this.engine = engine;
        this.engineNote = engineNote;
        this.jfr = jfr;
        this.stopper = stopper;
    }

    /** Stops recording (once; later calls only convert again) and writes {@code cpu} and {@code lock}. */
    public synchronized Result stop(Path cpu, Path lock) throws Exception {
        if (!stopped) {
            stopped = true;
            stopper.stop();
        }
        ProfileRequest both = ProfileRequest.cpuAndLock();
        JfrCollapsed.Result c = JfrCollapsed.convert(jfr, both.asCpu());
        JfrCollapsed.Result l = JfrCollapsed.convert(jfr, both.asLock());
        write(cpu, c.text());
        write(lock, l.text());
        return new Result(engine, engineNote, jfr, c.samples(), l.samples());
    }

    private static void write(Path file, byte[] text) throws IOException {
        Files.write(file, text);
    }
}
