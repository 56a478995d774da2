package dev.lockscope.agent.capture;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.AgentOptions;
import dev.lockscope.agent.profile.IncidentProfile;
import dev.lockscope.agent.profile.ProfileFeature;
import dev.lockscope.agent.threads.ThreadsFeature;
import dev.lockscope.agent.transport.DashboardLink;
import dev.lockscope.agent.transport.OutboundQueue;
import dev.lockscope.bridge.AgentThread;
import dev.lockscope.bridge.BridgeErrors;
import dev.lockscope.dashboard.report.ReportWriter;
import dev.lockscope.protocol.JsonWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * An incident capture running in the target JVM ({@code capture=incident.zip,for=60s}): it records every
 * sample and event the agent sends (as a dashboard would receive them), thread dumps at the start, at the end
 * and when a finding opens, a cpu and a lock profile, and a JFR recording, then writes one archive (see
 * {@link CaptureFiles} for the layout). It ends when its time is up, when the CLI asks (a {@code stop} file),
 * or when the JVM exits (a shutdown hook writes the partial archive).
 *
 * <p>The application never waits on it: the agent's sending threads only offer to a bounded queue (full:
 * dropped and counted, reported in the manifest), drained by the capture's own thread.
 */
public final class Capture {
    static final long DEFAULT_FOR_MS = 60_000;
    static final long DRAIN_MS = 100;
    static final long TICK_MS = 1_000;
    /** A capture of a flapping problem must not fill the disk with dumps. */
    static final int MAX_FINDING_DUMPS = 10;
    private static final int QUEUE = 8192;

    private final Path archive;
    private final Path parts;
    private final long forMs;
    private final DashboardLink link;
    private final Runnable afterArchive;
    private final boolean agentLoadedBefore;
    private final OutboundQueue queue = new OutboundQueue(QUEUE);
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> dumps = new CopyOnWriteArrayList<>();
    private final List<String> findings = new CopyOnWriteArrayList<>();
    private final Thread exitHook = new AgentThread(() -> {
        exiting = true;
        finish("jvm-exit");
    }, "lockscope-capture-exit");
    private volatile boolean exiting;
    private long nextTick;
    private ThreadsFeature threads;
    private BufferedWriter messages;
    private Recording recording;
    private IncidentProfile profile;
    private CaptureAnalysis analysis;
    private int findingDumps;
    private volatile long startedAt;
    private volatile long samples;
    private volatile long events;
    private volatile String state = "starting";
    private boolean finished;

    private Capture(Path archive, long forMs, DashboardLink link, boolean agentLoadedBefore, Runnable afterArchive) {
        this.archive = archive;
        this.parts = CaptureFiles.parts(archive);
        this.forMs = forMs;
        this.link = link;
        this.agentLoadedBefore = agentLoadedBefore;
        this.afterArchive = afterArchive;
    }

    /**
     * Prepares the capture the options ask for ({@code capture}: the archive, {@code for}: how long) and
     * starts keeping what {@code link} sends from now on (the agent's features may still be starting: what
     * they report meanwhile is kept too). {@link #begin} starts the clock. {@code afterArchive} runs on the
     * capture's thread once the archive is written (not when the JVM is exiting).
     */
    public static Capture prepare(AgentOptions options, DashboardLink link, boolean agentLoadedBefore,
                                  Runnable afterArchive) throws IOException {
        Path archive = freeName(Paths.get(options.get("capture", "")).toAbsolutePath().normalize());
        long forMs = options.millis("for", DEFAULT_FOR_MS);
        if (forMs <= 0) {
            throw new IllegalArgumentException("for=" + options.get("for", "") + ": a capture needs a positive duration");
        }
        Capture c = new Capture(archive, forMs, link, agentLoadedBefore, afterArchive);
        Files.createDirectories(c.parts.resolve(CaptureFiles.THREADS));
        Files.createDirectories(c.parts.resolve(CaptureFiles.PROFILES));
        c.open();
        return c;
    }

    /**
     * Starts keeping messages: the hello, the analysis, the exit hook (a JVM that exits even before
     * {@link #begin} still leaves an archive of what it sent) and the capture's thread.
     */
    private void open() throws IOException {
        messages = Files.newBufferedWriter(parts.resolve(CaptureFiles.MESSAGES), StandardCharsets.UTF_8);
        String hello = link.hello();
        messages.write(hello);
        messages.write('\n');
        try {
            analysis = CaptureAnalysis.fromHello(hello);
        } catch (Throwable t) {
            problems.add("no findings or report: the analysis did not start (" + t + ")");
        }
        writeManifest(null, 0);
        writeProgress();
        nextTick = System.currentTimeMillis() + TICK_MS;
        link.tap(queue::offer);
        Runtime.getRuntime().addShutdownHook(exitHook);
        AgentContext.startThread("capture", this::run);
    }

    /** The archive's path, with {@code -2}, {@code -3}, … before the extension if the name is taken. */
    static Path freeName(Path wanted) {
        Path p = wanted;
        String name = wanted.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 2; Files.exists(p) || Files.exists(CaptureFiles.parts(p)); i++) {
            p = wanted.resolveSibling(stem + "-" + i + ext);
        }
        return p;
    }

    public Path archive() {
        return archive;
    }

    /** The archive was written (or writing it failed) or the JVM is exiting. */
    public synchronized boolean ended() {
        return finished;
    }

    /**
     * Starts recording for the capture's duration: the first thread dump, the profile and the JFR recording
     * (either feature may be null when it failed to start: the manifest then says what is missing).
     */
    public synchronized void begin(ThreadsFeature threadsFeature, ProfileFeature profiles) throws IOException {
        if (finished) {
            return; // the JVM exited while the features were starting
        }
        threads = threadsFeature;
        if (threads == null) {
            problems.add("no thread dumps: the threads feature did not start");
        }
        dump("start");
        // Starting JFR and the profiler can take seconds on a busy machine: the clock starts once they run.
        startRecording();
        startProfile(profiles);
        startedAt = System.currentTimeMillis();
        nextTick = startedAt + TICK_MS;
        writeManifest(null, 0);
        state = "recording";
        writeProgress();
        System.err.println("lockscope: capturing for " + forMs / 1000 + " s into " + archive);
    }

    /** Abandons a capture that could not {@link #begin}: stops keeping messages and removes its files. */
    public synchronized void abandon() {
        finished = true;
        link.tap(null);
        removeExitHook();
        try {
            messages.close();
            Archive.deleteTree(parts);
        } catch (IOException e) {
            BridgeErrors.record(e);
        }
    }

    private void startRecording() {
        try {
            Recording r = new Recording(Configuration.getConfiguration("default"));
            r.setName("lockscope-capture");
            r.setToDisk(true);
            r.start();
            recording = r;
        } catch (Throwable t) {
            problems.add("no JFR recording: " + t);
        }
    }

    private void startProfile(ProfileFeature profiles) {
        if (profiles == null) {
            problems.add("no flame graphs: the profile feature did not start");
            return;
        }
        try {
            profile = profiles.startIncidentProfile(parts.resolve(CaptureFiles.PROFILES));
        } catch (Throwable t) {
            problems.add("no flame graphs: " + t.getMessage());
        }
    }

    private void run() {
        while (true) {
            try {
                if (!step()) {
                    break;
                }
            } catch (Throwable t) {
                BridgeErrors.record(t); // a full disk, say: keep trying, the end still comes
            }
            try {
                Thread.sleep(DRAIN_MS);
            } catch (InterruptedException e) {
                finish("stopped");
                break;
            }
        }
        if (!exiting) {
            removeExitHook();
            afterArchive.run();
        }
    }

    /** One pass of the capture thread: record what arrived, report progress, end when due. False once ended. */
    private synchronized boolean step() throws IOException {
        if (finished) {
            return false;
        }
        drain();
        dumpNewFindings();
        long now = System.currentTimeMillis();
        if (now >= nextTick) {
            nextTick += TICK_MS;
            writeProgress();
        }
        if (startedAt > 0 && now >= startedAt + forMs) {
            finish("time");
            return false;
        }
        if (Files.exists(parts.resolve(CaptureFiles.STOP))) {
            finish("stopped");
            return false;
        }
        return true;
    }

    private void drain() throws IOException {
        String m;
        int n = 0;
        while ((m = queue.poll()) != null) {
            messages.write(m);
            messages.write('\n');
            analyse(m);
            if (m.startsWith("{\"type\":\"sample\"")) {
                samples++;
            } else {
                events++;
            }
            n++;
        }
        if (n > 0) {
            messages.flush(); // a JVM killed outright still leaves what was recorded so far
        }
    }

    private void analyse(String message) {
        CaptureAnalysis a = analysis;
        if (a == null) {
            return;
        }
        try {
            a.accept(message);
        } catch (Throwable t) {
            analysis = null; // one bad message must not take the capture down; the rest is still recorded
            problems.add("findings stopped early: the analysis failed on a message (" + t + ")");
        }
    }

    /** A thread dump for each finding that opened (at most {@link #MAX_FINDING_DUMPS}). */
    private void dumpNewFindings() {
        CaptureAnalysis a = analysis;
        if (a == null || threads == null) {
            return; // before begin: the findings are announced (and dumped) once the threads feature is up
        }
        for (String kind : a.newlyOpened()) {
            if (findingDumps++ < MAX_FINDING_DUMPS) {
                dump("finding-" + kind);
            }
        }
        findings.clear();
        findings.addAll(a.kinds());
    }

    /**
     * Takes a thread dump into {@code threads/<id>.txt} (jstack text) and {@code .json}, where {@code id} is the
     * analysis' capture id (the report later writes its own richer JSON under the same name), or the label
     * without an analysis. A failure becomes a problem in the manifest.
     */
    private void dump(String label) {
        if (threads == null) {
            return;
        }
        long ts = System.currentTimeMillis();
        try {
            String text = threads.dumpText();
            String json = threads.dumpJson();
            String id = String.format("%02d-%s", dumps.size() + 1, label);
            CaptureAnalysis a = analysis;
            if (a != null) {
                try {
                    id = a.dump(json, text, label);
                } catch (Throwable t) {
                    problems.add("thread dump '" + label + "' is not in the report: " + t);
                }
            }
            Path dir = parts.resolve(CaptureFiles.THREADS);
            Files.writeString(dir.resolve(id + ".txt"), text, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(id + ".json"), json, StandardCharsets.UTF_8);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", label);
            entry.put("ts", ts);
            entry.put("text", CaptureFiles.THREADS + "/" + id + ".txt");
            entry.put("json", CaptureFiles.THREADS + "/" + id + ".json");
            dumps.add(entry);
            if (startedAt > 0) {
                writeManifest(null, 0); // a JVM killed outright still leaves the list of its dumps
            }
        } catch (Throwable t) {
            problems.add("thread dump '" + label + "' failed: " + t);
        }
    }

    /** Ends the capture now and writes its archive (the agent is being detached); returns when written. */
    public void end(String reason) {
        finish(reason);
    }

    /**
     * Ends the capture and writes the archive; {@code endedBy} is {@code time}, {@code stopped} (the CLI or
     * Ctrl-C), {@code detached} or {@code jvm-exit} (from the shutdown hook). Runs once; later calls return at once.
     */
    synchronized void finish(String endedBy) {
        if (finished) {
            return;
        }
        finished = true;
        state = "writing";
        long endedAt = System.currentTimeMillis();
        link.tap(null);
        try {
            writeProgress();
            drain();
            messages.close();
        } catch (Throwable t) {
            problems.add("recording messages failed: " + t);
        }
        Map<String, Object> profileFigures = stopProfile();
        if (!endedBy.equals("jvm-exit")) {
            dump("end"); // at exit the threads are already unwinding: a dump then shows shutdown, not the incident
        }
        stopRecording();
        writeReport(endedAt);
        try {
            writeManifest(endedBy, endedAt, profileFigures);
            Archive.write(parts, archive);
            System.err.println("lockscope: capture " + (endedBy.equals("time") ? "complete" : "ended early (" + endedBy + ")")
                    + ": " + archive);
        } catch (Throwable t) {
            System.err.println("lockscope: writing the capture archive " + archive + " failed: " + t
                    + "; its parts are in " + parts);
        }
        state = "done";
    }

    /** The self-contained report and the analysis' raw files (findings, locks, pools) into the parts. */
    private void writeReport(long endedAt) {
        CaptureAnalysis a = analysis;
        if (a == null) {
            problems.add("no report.html: there was no analysis to report");
            return;
        }
        try {
            List<ReportWriter.FlameGraph> graphs = new ArrayList<>();
            flameGraph(graphs, "cpu", "CPU (sampled while the capture ran)");
            flameGraph(graphs, "lock", "Lock contention (contended acquisitions of at least 1 ms)");
            // The report lists the files beside it: the capture's own bookkeeping is not part of the archive.
            Files.deleteIfExists(parts.resolve(CaptureFiles.PROGRESS));
            Files.deleteIfExists(parts.resolve(CaptureFiles.STOP));
            a.writeReport(endedAt, graphs, parts);
            findings.clear();
            findings.addAll(a.kinds());
        } catch (Throwable t) {
            problems.add("no report.html: writing it failed (" + t + ")");
        }
    }

    private void flameGraph(List<ReportWriter.FlameGraph> graphs, String name, String title) throws IOException {
        Path f = parts.resolve(CaptureFiles.PROFILES).resolve(name + ".collapsed");
        if (Files.exists(f) && Files.size(f) > 0) {
            graphs.add(new ReportWriter.FlameGraph(name, title, Files.readAllBytes(f)));
        }
    }

    private Map<String, Object> stopProfile() {
        if (profile == null) {
            return Map.of();
        }
        Path dir = parts.resolve(CaptureFiles.PROFILES);
        try {
            IncidentProfile.Result r = profile.stop(dir.resolve("cpu.collapsed"), dir.resolve("lock.collapsed"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("engine", r.engine());
            m.put("engineNote", r.engineNote());
            m.put("cpuSamples", r.cpuSamples());
            m.put("lockSamples", r.lockSamples());
            return m;
        } catch (Throwable t) {
            problems.add("flame graphs failed: " + t);
            return Map.of();
        }
    }

    private void stopRecording() {
        Recording r = recording;
        if (r == null) {
            return;
        }
        try {
            if (r.getState() == RecordingState.RUNNING) {
                r.stop(); // at JVM exit JFR's own hook may have stopped it already; its data is still there
            }
            r.dump(parts.resolve(CaptureFiles.RECORDING));
        } catch (Throwable t) {
            problems.add("JFR recording not saved: " + t);
        } finally {
            r.close();
        }
    }

    private void removeExitHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // already exiting: the hook is running or ran
        }
    }

    private void writeManifest(String endedBy, long endedAt) throws IOException {
        writeManifest(endedBy, endedAt, Map.of());
    }

    private void writeManifest(String endedBy, long endedAt, Map<String, Object> profileFigures) throws IOException {
        JsonWriter w = new JsonWriter().beginObject()
                .field("format", 1)
                .field("pid", ProcessHandle.current().pid())
                .field("startedAt", startedAt)
                .field("endedAt", endedBy == null ? null : endedAt)
                .field("requestedMs", forMs)
                .field("ended", endedBy)
                .field("agentLoadedBefore", agentLoadedBefore)
                .field("samples", samples)
                .field("events", events)
                .field("droppedMessages", queue.dropped())
                .field("threadDumps", new ArrayList<>(dumps))
                .field("findings", new ArrayList<>(findings))
                .field("profile", profileFigures)
                .field("problems", new ArrayList<>(problems));
        CaptureFiles.writeAtomically(parts.resolve(CaptureFiles.MANIFEST), w.endObject().toString());
    }

    private void writeProgress() {
        try {
            JsonWriter w = new JsonWriter().beginObject()
                    .field("state", state)
                    .field("archive", archive.toString())
                    .field("startedAt", startedAt)
                    .field("forMs", forMs)
                    .field("elapsedMs", startedAt == 0 ? 0 : System.currentTimeMillis() - startedAt)
                    .field("samples", samples)
                    .field("events", events)
                    .field("findings", new ArrayList<>(findings))
                    .endObject();
            CaptureFiles.writeAtomically(parts.resolve(CaptureFiles.PROGRESS), w.toString());
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }
}
