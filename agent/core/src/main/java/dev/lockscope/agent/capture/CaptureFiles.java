package dev.lockscope.agent.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where an incident capture keeps its files, shared by the agent that records and the CLI that watches.
 *
 * <p>While it records, the agent writes into {@code <archive>.parts/} beside the archive: the archive's files as
 * they are made, plus {@link #PROGRESS} (rewritten once a second, read by the CLI) and, when the CLI wants the
 * capture to end early, a {@link #STOP} file it creates. The archive itself appears only once complete (written
 * to a temporary name, then moved), after which the parts directory is removed.
 */
public final class CaptureFiles {
    /** The self-contained HTML report. */
    public static final String REPORT = "report.html";
    /** What was captured, when, how it ended, what is missing and why. */
    public static final String MANIFEST = "capture.json";
    /** The protocol messages the agent sent (hello, samples, events), one JSON object per line. */
    public static final String MESSAGES = "messages.jsonl";
    /** JFR recording of the whole capture with the JDK's {@code default} settings. */
    public static final String RECORDING = "recording.jfr";
    /** Thread dumps: {@code NN-label.txt} (jstack text) and {@code NN-label.json} (the dashboard's capture). */
    public static final String THREADS = "threads";
    /** {@code cpu.collapsed}, {@code lock.collapsed} and the profiler's own {@code profile.jfr}. */
    public static final String PROFILES = "profiles";
    static final String PROGRESS = "progress.json";
    static final String STOP = "stop";

    private CaptureFiles() {}

    public static Path parts(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".parts");
    }

    public static Path progress(Path archive) {
        return parts(archive).resolve(PROGRESS);
    }

    public static Path stop(Path archive) {
        return parts(archive).resolve(STOP);
    }

    /** Replaces {@code file} so a reader never sees half of it. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
