package dev.lockscope.agent.profile;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.Feature;
import dev.lockscope.bridge.BridgeErrors;
import dev.lockscope.protocol.JsonWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * On-demand profiles ({@code profile.*} commands): cpu, wall-clock, lock and allocation, recorded by
 * async-profiler when it can load here, by JFR otherwise (or when the option {@code profiler=jfr} says so).
 *
 * <p>One profile at a time per JVM: a second {@code profile.start} while one runs is answered with an error
 * starting with {@code busy:}. A profile runs on its own agent thread; the commands return at once, so a long
 * profile never holds one of the agent's few command threads. Results (the JFR file and the collapsed stacks
 * derived from it) stay in a temporary directory until the dashboard fetched them and sent
 * {@code profile.discard}, and are deleted when the JVM exits.
 *
 * <p>Commands: {@code profile.start} (see {@link ProfileRequest}), {@code profile.stop {id}},
 * {@code profile.status {id}}, {@code profile.fetch {id, format: collapsed|jfr, offset}} (base64 chunks of at most
 * {@link #CHUNK_BYTES}), {@code profile.discard {id}}.
 */
public final class ProfileFeature implements Feature {
    /** Largest piece of a result sent in one response (base64 makes it 4/3 larger; frames may be 32 MB). */
    static final int CHUNK_BYTES = 4 * 1024 * 1024;
    /** Finished captures the dashboard never collected are dropped beyond this many, oldest first. */
    static final int MAX_KEPT = 4;

    private final Map<String, Capture> captures = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Capture running;
    private String mode;
    private Instrumentation instrumentation;
    private AsyncProfilerEngine async;
    private String asyncUnavailable;
    private boolean asyncTried;
    private Path dir;
    /** Its execution samples pause while an async-profiler capture runs (see {@link AlwaysOnRecording#pauseSampling}). */
    private final AlwaysOnRecording recording;

    public ProfileFeature(AlwaysOnRecording recording) {
        this.recording = recording;
    }
    private Thread cleanupHook;

    /** One profile and, when done, its files. Fields are written by the profile thread, read by commands. */
    static final class Capture {
        final String id;
        final ProfileRequest request;
        final Engine engine;
        final String engineNote;
        final long startedAt = System.currentTimeMillis();
        final Path jfr;
        final Path collapsed;
        volatile String status = "running";
        volatile String reason;
        volatile long endedAt;
        volatile long samples;
        volatile boolean stopRequested;
        volatile Thread thread;

        Capture(String id, ProfileRequest request, Engine engine, String engineNote, Path dir) {
            this.id = id;
            this.request = request;
            this.engine = engine;
            this.engineNote = engineNote;
            this.jfr = dir.resolve(id + ".jfr");
            this.collapsed = dir.resolve(id + ".collapsed");
        }
    }

    @Override
    public String name() {
        return "profile";
    }

    @Override
    public void start(AgentContext ctx) throws Exception {
        mode = ctx.options().get("profiler", "auto").toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("jfr") && !mode.equals("async")) {
            System.err.println("lockscope: profiler=" + mode + " is not auto, jfr or async; using auto");
            mode = "auto";
        }
        instrumentation = ctx.instrumentation();
        ctx.command("profile.start", (args, out) -> start(args, out));
        ctx.command("profile.stop", (args, out) -> {
            Capture c = capture(args);
            c.stopRequested = true;
            Thread t = c.thread;
            if (t != null) {
                t.interrupt();
            }
            writeStatus(c, out);
        });
        ctx.command("profile.status", (args, out) -> writeStatus(capture(args), out));
        ctx.command("profile.fetch", this::fetch);
        ctx.command("profile.discard", (args, out) -> {
            Capture c = captures.remove(String.valueOf(args.get("id")));
            if (c != null && c != running) {
                deleteFiles(c);
            }
            out.beginObject().field("discarded", c != null).endObject();
        });
        cleanupHook = new Thread(this::shutdown, "lockscope-profile-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /**
     * Detach: a running profile is stopped and discarded (no half result is kept), every file deleted and the
     * exit hook removed. async-profiler's native library stays loaded (a library cannot be unloaded) but idle.
     */
    @Override
    public void stop() {
        Capture c = running;
        if (c != null) {
            c.stopRequested = true;
            captures.remove(c.id); // discarded: runProfile deletes its files when it ends
            Thread t = c.thread;
            if (t != null) {
                t.interrupt();
                try {
                    t.join(15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            return; // the JVM is exiting: the hook runs anyway
        }
        shutdown();
    }

    @Override
    public void writeSample(JsonWriter w) {
        Capture c = running;
        w.field("running", c != null ? c.id : null);
        w.field("started", started.get());
        w.field("failed", failed.get());
        w.field("engine", engineSummary());
    }

    private synchronized String engineSummary() {
        if (mode.equals("jfr")) {
            return "jfr (forced by profiler=jfr)";
        }
        if (!asyncTried) {
            return "async-profiler (not loaded yet)";
        }
        return async != null ? "async-profiler" : "jfr (" + asyncUnavailable + ")";
    }

    private void start(Map<String, Object> args, JsonWriter out) throws Exception {
        ProfileRequest request = ProfileRequest.parse(args);
        Capture c;
        synchronized (this) {
            Capture now = running;
            if (now != null) {
                throw new IllegalStateException("busy: profile " + now.id + " (" + now.request.event()
                        + ") is already running in this JVM; only one profile at a time");
            }
            if (dir == null) {
                dir = Files.createTempDirectory("lockscope-profiles-" + ProcessHandle.current().pid() + "-");
                dir.toFile().deleteOnExit();
            }
            pruneFinished();
            Chosen chosen = chooseEngine();
            Engine engine = chosen.engine();
            String id = "p" + ids.incrementAndGet();
            c = new Capture(id, request, engine, chosen.note(), dir);
            if (engine instanceof AsyncProfilerEngine) {
                recording.pauseSampling();
            }
            try {
                engine.start(request, c.jfr);
            } catch (Exception e) {
                recording.resumeSampling();
                deleteFiles(c);
                throw e;
            }
            captures.put(id, c);
            running = c;
            started.incrementAndGet();
        }
        c.thread = AgentContext.startThread("profile-" + c.id, () -> runProfile(c));
        writeStatus(c, out);
    }

    private record Chosen(Engine engine, String note) {}

    /** The engine the {@code profiler} option and this JVM allow, with a note when it is not the preferred one. */
    private Chosen chooseEngine() {
        if (mode.equals("jfr")) {
            return new Chosen(new JfrEngine(), "JFR forced by the agent option profiler=jfr");
        }
        AsyncProfilerEngine a = asyncEngine();
        if (a != null) {
            return new Chosen(a, null);
        }
        if (mode.equals("async")) {
            throw new IllegalStateException("async-profiler unavailable: " + asyncUnavailable);
        }
        return new Chosen(new JfrEngine(), "async-profiler unavailable: " + asyncUnavailable);
    }

    /**
     * Starts the cpu and lock profile of an incident capture: one engine session recording both, into
     * {@code dir/profile.jfr}. It holds the one-profile-at-a-time slot like a dashboard profile until
     * {@link IncidentProfile#stop} (a dashboard asking meanwhile is told it is busy).
     */
    public IncidentProfile startIncidentProfile(Path dir) throws Exception {
        ProfileRequest both = ProfileRequest.cpuAndLock();
        Capture c;
        synchronized (this) {
            Capture now = running;
            if (now != null) {
                throw new IllegalStateException("busy: profile " + now.id + " (" + now.request.event()
                        + ") is already running in this JVM");
            }
            Chosen chosen = chooseEngine();
            c = new Capture("profile", both, chosen.engine(), chosen.note(), dir);
            chosen.engine().start(both, c.jfr);
            running = c;
            started.incrementAndGet();
        }
        return new IncidentProfile(c.engine.name(), c.engineNote, c.jfr, () -> {
            try {
                c.engine.stop();
            } finally {
                synchronized (this) {
                    running = null;
                }
            }
        });
    }

    /** async-profiler, loaded on first use; null (with the reason kept) when it cannot be used here. */
    private synchronized AsyncProfilerEngine asyncEngine() {
        if (!asyncTried) {
            asyncTried = true;
            try {
                async = AsyncProfilerEngine.open(instrumentation);
            } catch (AsyncProfilerEngine.Unavailable u) {
                asyncUnavailable = u.getMessage();
            }
        } else if (async != null) {
            String other = AsyncProfilerEngine.foreignCopy(null);
            if (other != null) {
                asyncUnavailable = "another async-profiler appeared in this process (" + other + ")";
                return null;
            }
        }
        return async;
    }

    private void runProfile(Capture c) {
        // "Until stopped" still ends after an hour: a dashboard that restarted has forgotten this profile, and
        // it must not keep the JVM busy for good.
        long deadline = c.startedAt + (c.request.durationMs() == 0 ? ProfileRequest.MAX_DURATION_MS : c.request.durationMs());
        while (!c.stopRequested && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(Math.min(200, Math.max(1, deadline - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                // profile.stop interrupts; the loop condition decides
            }
        }
        try {
            c.engine.stop();
            long stoppedAt = System.currentTimeMillis();
            JfrCollapsed.Result r = JfrCollapsed.convert(c.jfr, c.request);
            Files.write(c.collapsed, r.text());
            c.samples = r.samples();
            c.endedAt = stoppedAt;
            c.status = "done";
        } catch (Throwable t) {
            BridgeErrors.record(t);
            c.reason = "profile failed: " + t;
            c.endedAt = System.currentTimeMillis();
            c.status = "failed";
            failed.incrementAndGet();
            deleteFiles(c);
        } finally {
            recording.resumeSampling();
            synchronized (this) {
                running = null;
            }
            if (!captures.containsKey(c.id)) {
                deleteFiles(c); // discarded while it ran
            }
        }
    }

    private Capture capture(Map<String, Object> args) {
        Capture c = captures.get(String.valueOf(args.get("id")));
        if (c == null) {
            throw new IllegalArgumentException("no profile with id '" + args.get("id") + "' in this JVM");
        }
        return c;
    }

    private static void writeStatus(Capture c, JsonWriter out) throws IOException {
        out.beginObject()
                .field("id", c.id)
                .field("status", c.status)
                .field("reason", c.reason)
                .field("event", c.request.event())
                .field("engine", c.engine.name())
                .field("engineNote", c.engineNote)
                .field("startedAt", c.startedAt)
                .field("endedAt", c.endedAt)
                .field("durationMs", c.request.durationMs())
                .field("samples", c.samples);
        if ("done".equals(c.status)) {
            out.field("collapsedBytes", Files.size(c.collapsed)).field("jfrBytes", Files.size(c.jfr));
        }
        out.endObject();
    }

    private void fetch(Map<String, Object> args, JsonWriter out) throws IOException {
        Capture c = capture(args);
        if (!"done".equals(c.status)) {
            throw new IllegalStateException("profile " + c.id + " is " + c.status + ", nothing to fetch");
        }
        String format = String.valueOf(args.getOrDefault("format", "collapsed"));
        Path file = switch (format) {
            case "collapsed" -> c.collapsed;
            case "jfr" -> c.jfr;
            default -> throw new IllegalArgumentException("unknown format '" + format + "' (collapsed or jfr)");
        };
        long offset = args.get("offset") instanceof Number n ? n.longValue() : 0;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long total = f.length();
            if (offset < 0 || offset > total) {
                throw new IllegalArgumentException("offset " + offset + " outside 0.." + total);
            }
            byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, total - offset)];
            f.seek(offset);
            f.readFully(chunk);
            out.beginObject().field("format", format).field("offset", offset).field("total", total)
                    .field("data", Base64.getEncoder().encodeToString(chunk)).endObject();
        }
    }

    /** Keeps at most {@link #MAX_KEPT} finished captures the dashboard did not collect. */
    private void pruneFinished() {
        var finished = captures.values().stream().filter(c -> c != running)
                .sorted((a, b) -> Long.compare(a.startedAt, b.startedAt)).toList();
        for (int i = 0; i < finished.size() - MAX_KEPT + 1; i++) {
            Capture c = finished.get(i);
            captures.remove(c.id);
            deleteFiles(c);
        }
    }

    private static void deleteFiles(Capture c) {
        try {
            Files.deleteIfExists(c.jfr);
            Files.deleteIfExists(c.collapsed);
        } catch (IOException e) {
            BridgeErrors.record(e);
        }
    }

    /** JVM exit: stop a running profile (no half-written result is kept) and delete every file. */
    private void shutdown() {
        Capture c = running;
        if (c != null) {
            try {
                c.engine.stop();
            } catch (Throwable t) {
                // exiting anyway
            }
        }
        for (Capture k : captures.values()) {
            deleteFiles(k);
        }
        if (dir != null) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // not empty: something else wrote there
            }
        }
    }
}
