package dev.lockscope.agent.cli;

import dev.lockscope.agent.AgentOptions;
import dev.lockscope.agent.capture.Archive;
import dev.lockscope.agent.capture.CaptureFiles;
import dev.lockscope.agent.capture.PartialReport;
import dev.lockscope.protocol.JsonReader;
import dev.lockscope.protocol.JsonWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code capture <pid> [--for 60s] [-o incident.zip] [key=value,...]}: loads the agent into a running JVM with
 * capture options (an agent already there records the capture and stays as it was), shows progress until the
 * archive is written, and on Ctrl-C asks the agent to end early, still waiting for a valid archive.
 *
 * <p>The agent in the target JVM does the recording and writes the archive; this side only watches the parts
 * directory's progress file. If the target dies without finishing (killed outright), this side zips what was
 * recorded so far, saying it is partial. Exit status: 0 when an archive was written, 1 when none could be,
 * 2 for bad usage.
 */
final class CaptureCommand {
    /** The agent must start recording within this (Byte Buddy's start takes seconds on a loaded machine). */
    static final long START_TIMEOUT_MS = 90_000;
    /** After the end or a Ctrl-C, how long the agent may take to write the archive. */
    static final long WRITE_TIMEOUT_MS = 120_000;
    /**
     * Once the target is gone its shutdown hook has run (a process that exited writes nothing more): this is
     * only a last look for the archive its hook moved into place just before the end.
     */
    static final long EXIT_GRACE_MS = 1_000;
    /** How long the target may take to open its attach socket. */
    static final long ATTACH_TIMEOUT_MS = 30_000;
    /** After the archive, how long the agent may take to detach (it restores every instrumented class). */
    static final long DETACH_TIMEOUT_MS = 30_000;
    private static final long POLL_MS = 250;

    private final long pid;
    private final long forMs;
    private final Path archive;
    private final String extraOptions;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean interrupted;

    private CaptureCommand(long pid, long forMs, Path archive, String extraOptions, PrintStream out, PrintStream err) {
        this.pid = pid;
        this.forMs = forMs;
        this.archive = archive;
        this.extraOptions = extraOptions;
        this.out = out;
        this.err = err;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("lockscope: usage: capture <pid> [--for 60s] [-o incident.zip] [key=value,...]");
            return 2;
        }
        long pid = AgentCli.pid(args[0], err);
        if (pid < 0) {
            return (int) -pid;
        }
        long forMs = 60_000;
        String output = "lockscope-" + pid + ".zip";
        String extra = "";
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--for") || a.equals("-o")) && i + 1 >= args.length) {
                err.println("lockscope: " + a + " needs a value");
                return 2;
            }
            if (a.equals("--for")) {
                try {
                    forMs = AgentOptions.Durations.parseMillis(args[++i]);
                } catch (IllegalArgumentException e) {
                    err.println("lockscope: --for " + args[i] + ": " + e.getMessage());
                    return 2;
                }
                if (forMs <= 0) {
                    err.println("lockscope: --for must be positive");
                    return 2;
                }
            } else if (a.equals("-o")) {
                output = args[++i];
            } else if (a.contains("=") && extra.isEmpty()) {
                extra = a;
            } else {
                err.println("lockscope: unexpected argument '" + a + "'");
                return 2;
            }
        }
        AgentOptions parsed = AgentOptions.parse(extra);
        if (!parsed.problems().isEmpty()) {
            parsed.problems().forEach(p -> err.println("lockscope: " + p));
            return 2;
        }
        if (parsed.has("capture") || parsed.has("for")) {
            err.println("lockscope: give the archive with -o and the duration with --for");
            return 2;
        }
        Path archive = Paths.get(output).toAbsolutePath().normalize();
        if (archive.toString().contains(",")) {
            err.println("lockscope: the archive path must not contain a comma (agent options are comma-separated): " + archive);
            return 2;
        }
        if (Files.exists(archive)) {
            err.println("lockscope: " + archive + " already exists; choose another name with -o (nothing was overwritten)");
            return 2;
        }
        if (Files.exists(CaptureFiles.parts(archive))) {
            err.println("lockscope: " + CaptureFiles.parts(archive) + " exists: another capture is writing there, or one"
                    + " was interrupted (remove it to capture again under this name)");
            return 2;
        }
        Path dir = archive.getParent();
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            err.println("lockscope: cannot write the archive into " + dir + " (not a writable directory)");
            return 2;
        }
        return new CaptureCommand(pid, forMs, archive, extra, out, err).capture();
    }

    private int capture() {
        // A JVM in trouble (the reason to capture) can be slow to open its attach socket: wait longer than the
        // JDK's default 10 s before giving up.
        if (System.getProperty("sun.tools.attach.attachTimeout") == null) {
            System.setProperty("sun.tools.attach.attachTimeout", Long.toString(ATTACH_TIMEOUT_MS));
        }
        String options = "capture=" + archive + ",for=" + forMs + "ms" + (extraOptions.isEmpty() ? "" : "," + extraOptions);
        int loaded = AgentCli.loadInto(pid, options, err);
        if (loaded != 0) {
            return loaded;
        }
        out.println("lockscope: capturing pid " + pid + " for " + seconds(forMs) + " into " + archive
                + " (Ctrl-C ends early and still writes the archive)");
        Thread onCtrlC = new Thread(this::stopEarly, "lockscope-capture-ctrl-c");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            return watch();
        } finally {
            done.countDown();
        }
    }

    /** Shutdown hook (Ctrl-C): ask the agent to end now, then let {@link #watch} finish and report. */
    private void stopEarly() {
        if (done.getCount() == 0) {
            return;
        }
        interrupted = true;
        try {
            if (Files.isDirectory(CaptureFiles.parts(archive))) {
                Files.writeString(CaptureFiles.stop(archive), "stop requested by the CLI (Ctrl-C)\n");
            }
            out.println();
            out.println("lockscope: ending the capture early; waiting for the archive…");
            done.await(WRITE_TIMEOUT_MS + EXIT_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (IOException | InterruptedException e) {
            err.println("lockscope: could not ask the agent to stop: " + e);
        }
    }

    private int watch() {
        long attachedAt = System.currentTimeMillis();
        long goneAt = 0;
        long stopAskedAt = 0;
        String lastLine = "";
        boolean started = false;
        boolean tty = System.console() != null;
        while (true) {
            if (complete()) {
                return summary();
            }
            Map<String, Object> progress = readProgress();
            if (progress != null) {
                started = true;
                String line = progressLine(progress);
                if (!line.equals(lastLine)) {
                    if (tty) {
                        out.print("\r" + line + "   ");
                    } else {
                        out.println(line);
                    }
                    out.flush();
                    lastLine = line;
                }
            }
            long now = System.currentTimeMillis();
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                if (goneAt == 0) {
                    goneAt = now; // its shutdown hook is writing the archive, or it was killed outright
                } else if (now - goneAt > EXIT_GRACE_MS) {
                    return salvage();
                }
            } else if (!started && now - attachedAt > START_TIMEOUT_MS) {
                err.println("lockscope: the agent in pid " + pid + " did not start the capture within "
                        + seconds(START_TIMEOUT_MS) + " (its reason, if any, is on that JVM's stderr)");
                return 1;
            } else if (interrupted && stopAskedAt == 0) {
                stopAskedAt = now;
            } else if (stopAskedAt > 0 && now - stopAskedAt > WRITE_TIMEOUT_MS) {
                err.println("lockscope: the agent did not write the archive within " + seconds(WRITE_TIMEOUT_MS)
                        + "; what it recorded is in " + CaptureFiles.parts(archive));
                return 1;
            } else if (started && now - attachedAt > forMs + START_TIMEOUT_MS + WRITE_TIMEOUT_MS) {
                err.println("lockscope: the capture did not finish in time; what it recorded is in "
                        + CaptureFiles.parts(archive));
                return 1;
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    private boolean complete() {
        return Files.exists(archive) && !Files.exists(CaptureFiles.parts(archive));
    }

    private Map<String, Object> readProgress() {
        try {
            return JsonReader.parseObject(Files.readString(CaptureFiles.progress(archive), StandardCharsets.UTF_8), 1 << 20);
        } catch (IOException | RuntimeException e) {
            return null; // not there yet, or gone: the archive check decides
        }
    }

    static String progressLine(Map<String, Object> p) {
        long elapsed = number(p.get("elapsedMs"));
        long total = number(p.get("forMs"));
        List<?> findings = p.get("findings") instanceof List<?> l ? l : List.of();
        String state = String.valueOf(p.get("state"));
        String doing = switch (state) {
            case "starting" -> "starting (the agent installs its instrumentation),";
            case "writing" -> "writing the archive " + seconds(Math.min(elapsed, total)) + " of " + seconds(total) + ",";
            default -> "recording " + seconds(Math.min(elapsed, total)) + " of " + seconds(total) + ",";
        };
        return "lockscope: " + doing + " "
                + number(p.get("samples")) + " samples, " + number(p.get("events")) + " events, "
                + findings.size() + (findings.size() == 1 ? " finding" : " findings")
                + (findings.isEmpty() ? "" : " (" + String.join(", ", findings.stream().map(String::valueOf).toList()) + ")");
    }

    /** Prints what the archive holds, from its manifest. */
    private int summary() {
        Map<String, Object> m = manifest();
        String ended = m == null ? "?" : String.valueOf(m.get("ended"));
        String how = switch (ended) {
            case "time" -> "complete";
            case "stopped" -> "ended early";
            case "jvm-exit" -> "partial: the JVM exited during the capture";
            case "jvm-gone" -> "partial: the JVM ended without finishing the capture";
            default -> ended;
        };
        if (System.console() != null) {
            out.println();
        }
        if (ended.startsWith("jvm-")) {
            err.println("lockscope: pid " + pid + " exited during the capture; the archive holds what was recorded until then");
        }
        out.println("lockscope: wrote " + archive + " (" + how + ")");
        if (m != null) {
            List<?> findings = m.get("findings") instanceof List<?> l ? l : List.of();
            out.println("lockscope: " + number(m.get("samples")) + " samples, " + number(m.get("events")) + " events, "
                    + (findings.isEmpty() ? "no findings" : "findings: " + String.join(", ",
                    findings.stream().map(String::valueOf).toList())));
            if (m.get("problems") instanceof List<?> problems) {
                problems.forEach(p -> out.println("lockscope: note: " + p));
            }
        }
        out.println("lockscope: open report.html inside it, or load it into the dashboard");
        if (m != null && !ended.startsWith("jvm-")) {
            reportAgentLeft(Boolean.TRUE.equals(m.get("agentLoadedBefore")));
        }
        return 0;
    }

    /** Says what became of the agent: removed (the capture loaded it) or left running as it was. */
    private void reportAgentLeft(boolean loadedBefore) {
        if (loadedBefore) {
            out.println("lockscope: the agent that was already running in pid " + pid + " keeps running as before");
            return;
        }
        long deadline = System.currentTimeMillis() + DETACH_TIMEOUT_MS;
        String state = null;
        while (System.currentTimeMillis() < deadline) {
            state = AgentCli.stateOf(pid);
            if ("detached".equals(state)) {
                out.println("lockscope: agent removed from pid " + pid + " (instrumented classes restored, its threads stopped)");
                return;
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        err.println("lockscope: the agent in pid " + pid + " did not confirm it detached (state: " + state + ")");
    }

    private Map<String, Object> manifest() {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry e = zip.getEntry(CaptureFiles.MANIFEST);
            if (e == null) {
                return null;
            }
            String text = new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
            return JsonReader.parseObject(text, 1 << 24);
        } catch (IOException | RuntimeException e) {
            err.println("lockscope: the archive " + archive + " could not be read back: " + e);
            return null;
        }
    }

    /**
     * The target died without writing the archive (killed outright): zip what its agent had written so far,
     * marking the manifest partial.
     */
    private int salvage() {
        Path parts = CaptureFiles.parts(archive);
        if (!Files.isDirectory(parts)) {
            err.println("lockscope: pid " + pid + " ended before the capture started; no archive written");
            return 1;
        }
        try {
            Path manifestFile = parts.resolve(CaptureFiles.MANIFEST);
            Map<String, Object> m = Files.exists(manifestFile)
                    ? new LinkedHashMap<>(JsonReader.parseObject(Files.readString(manifestFile), 1 << 24))
                    : new LinkedHashMap<>();
            m.put("ended", "jvm-gone");
            m.put("endedAt", System.currentTimeMillis());
            List<Object> problems = new java.util.ArrayList<>(m.get("problems") instanceof List<?> l ? l : List.of());
            problems.add("the JVM ended without finishing the capture (killed?): no end dump, flame graphs or JFR "
                    + "recording; the samples and events up to its end and the dumps taken before are here");
            try {
                int unreadable = PartialReport.write(parts);
                if (unreadable > 0) {
                    problems.add(unreadable + " line(s) of messages.jsonl could not be read (cut off when the JVM died)");
                }
            } catch (IOException | RuntimeException e) {
                problems.add("no report.html: " + e);
            }
            m.put("problems", problems);
            Files.writeString(manifestFile, new JsonWriter().value(m).toString(), StandardCharsets.UTF_8);
            // The profiler never finished its file: a truncated JFR would only confuse whoever opens it.
            Files.deleteIfExists(parts.resolve(CaptureFiles.PROFILES).resolve("profile.jfr"));
            Archive.write(parts, archive);
        } catch (IOException | RuntimeException e) {
            err.println("lockscope: could not write the partial archive: " + e + "; what was recorded is in " + parts);
            return 1;
        }
        return summary();
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static String seconds(long ms) {
        return (ms + 500) / 1000 + " s";
    }
}
