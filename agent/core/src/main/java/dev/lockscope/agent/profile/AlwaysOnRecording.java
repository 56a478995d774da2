package dev.lockscope.agent.profile;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.AgentOptions;
import dev.lockscope.agent.Feature;
import dev.lockscope.agent.FeatureSwitches;
import dev.lockscope.bridge.BridgeErrors;
import dev.lockscope.protocol.JsonWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.management.ObjectName;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The always-on, low-rate JFR disk recording ({@code recording} feature): execution samples at a low rate and
 * contended {@code synchronized} enters and parks above a threshold, kept for {@code recording.maxAge} /
 * {@code recording.maxSize} in JFR's own disk repository, so a cpu or lock flame graph of any past window can be
 * drawn without a profile having been started beforehand.
 *
 * <p>It is one named recording ({@value #NAME}) among the JVM's others: a user's own recordings
 * ({@code -XX:StartFlightRecording}, JMC, {@code jcmd JFR.start}) keep running, with their own files and
 * settings; JFR merges the settings of all recordings, so every reader here filters events by its own threshold,
 * and a user's recording may see our events at our rate (JFR shares its chunks between recordings). On-demand
 * profiles (async-profiler, or the JFR engine) run beside it.
 *
 * <p>Commands: {@code recording.status}; {@code recording.collapsed {event: cpu|lock, fromMs, toMs, threads,
 * thresholdMs, byThread}} (collapsed stacks of that window, events filtered by their start time);
 * {@code recording.snapshot {fromMs, toMs}} (writes the window's data as a .jfr file and returns its id and size),
 * {@code recording.fetch {id, offset}} (base64 chunks), {@code recording.discard {id}}.
 */
public final class AlwaysOnRecording implements Feature {
    static final String NAME = "lockscope-always-on";
    /** Snapshots written but not yet fetched are dropped beyond this many, oldest first. */
    private static final int MAX_SNAPSHOTS = 2;
    /** Longest collapsed text sent in one response; a window's low-rate stacks stay far below it. */
    private static final int MAX_COLLAPSED_BYTES = 16 * 1024 * 1024;

    private volatile Recording recording;
    private volatile boolean on;
    private volatile String offReason;
    private boolean optionOn;
    private long maxAgeMs;
    private long maxSizeBytes;
    private long periodMs;
    private long thresholdMs;
    private long rotateMs;
    private volatile long startedAt;
    private volatile boolean samplingPaused;
    private volatile Thread rotator;
    private Thread cleanupHook;
    private Path dir;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong queries = new AtomicLong();
    private final Map<String, Path> snapshots = new HashMap<>();

    public static void describeOptions(Map<String, String> known) {
        known.put("recording", "always-on low-rate JFR recording for flame graphs of past windows: on or off (default on)");
        known.put("recording.maxAge", "how much history the always-on recording keeps (default 10m)");
        known.put("recording.maxSize", "most disk the always-on recording uses, e.g. 64mb (default 64mb)");
        known.put("recording.period", "execution sampling period of the always-on recording (default 100ms)");
        known.put("recording.threshold", "shortest contended enter or park the always-on recording keeps (default 10ms)");
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void start(AgentContext ctx) throws Exception {
        AgentOptions o = ctx.options();
        on = o.flag("recording", true);
        optionOn = on;
        maxAgeMs = Math.max(10_000, o.millis("recording.maxAge", 600_000));
        maxSizeBytes = bytes(o, "recording.maxSize", 64L << 20);
        periodMs = Math.max(1, o.millis("recording.period", 100));
        thresholdMs = o.millis("recording.threshold", 10);
        // JFR drops old data a whole chunk at a time and a dump copies whole chunks, so a chunk is closed every
        // tenth of maxAge (10 s to 60 s): history is trimmed to maxAge within that, and a snapshot stays near its window.
        rotateMs = Math.max(10_000, Math.min(60_000, maxAgeMs / 10));
        ctx.command("recording.status", (args, out) -> writeStatus(out));
        ctx.command("recording.collapsed", this::collapsed);
        ctx.command("recording.snapshot", this::snapshot);
        ctx.command("recording.fetch", this::fetch);
        ctx.command("recording.discard", (args, out) -> {
            Path p;
            synchronized (this) {
                p = snapshots.remove(String.valueOf(args.get("id")));
            }
            if (p != null) {
                Files.deleteIfExists(p);
            }
            out.beginObject().field("discarded", p != null).endObject();
        });
        if (!on) {
            offReason = "turned off by the agent option recording=off";
            return;
        }
        if (!FlightRecorder.isAvailable()) {
            on = false;
            offReason = "JDK Flight Recorder is not available in this JVM";
            return;
        }
        cleanupHook = new Thread(this::deleteSnapshots, "lockscope-recording-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        if (ctx.switches().on(FeatureSwitches.JFR)) {
            startRecording();
        } else {
            on = false;
            offReason = "the agent's jfr switch is off";
        }
    }

    private synchronized void startRecording() {
        Recording r = new Recording();
        r.setName(NAME);
        r.setToDisk(true);
        r.setMaxAge(Duration.ofMillis(maxAgeMs));
        r.setMaxSize(maxSizeBytes);
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(periodMs));
        r.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofMillis(thresholdMs)).withStackTrace();
        r.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(thresholdMs)).withStackTrace();
        r.start();
        recording = r;
        samplingPaused = false;
        on = true;
        offReason = null;
        startedAt = System.currentTimeMillis();
        rotator = AgentContext.startThread("recording-chunks", this::rotateLoop);
    }

    private synchronized void stopRecording() {
        Thread t = rotator;
        rotator = null;
        if (t != null) {
            t.interrupt();
        }
        Recording r = recording;
        recording = null;
        if (r != null) {
            r.close(); // JFR deletes the data only this recording held
        }
    }

    /**
     * The agent's {@code jfr} switch (all of its JFR use) stops the recording, history included, and starts a new
     * one (serialised by the runtime). The {@code recording} option is the recording's own switch.
     */
    @Override
    public void setSwitch(String name, boolean enabled) {
        if (!FeatureSwitches.JFR.equals(name) || !optionOn || !FlightRecorder.isAvailable()) {
            return;
        }
        if (enabled && recording == null) {
            startRecording();
        } else if (!enabled) {
            stopRecording();
            on = false;
            offReason = "the agent's jfr switch is off";
        }
    }

    @Override
    public void writeSample(JsonWriter w) {
        w.field("on", on).field("queries", queries.get()).field("samplingPaused", samplingPaused);
    }

    /**
     * Stops the recording's execution samples while an async-profiler capture runs: JFR's sampler suspends each
     * sampled thread with a signal, and async-profiler's own samplers would catch threads inside that handler
     * ({@code SR_handler}, {@code JfrThreadSampling::on_javathread_suspend} frames in a wall or cpu profile).
     * The capture covers that time with better data; contention events go on. JFR merges the settings of all
     * recordings, so a user's own recording with execution samples keeps them going regardless.
     */
    synchronized void pauseSampling() {
        setSampling(false);
    }

    synchronized void resumeSampling() {
        setSampling(true);
    }

    private void setSampling(boolean enabled) {
        Recording r = recording;
        if (r == null || samplingPaused == !enabled) {
            return;
        }
        try {
            Map<String, String> settings = new HashMap<>(r.getSettings());
            settings.put("jdk.ExecutionSample#enabled", String.valueOf(enabled));
            r.setSettings(settings);
            samplingPaused = !enabled;
        } catch (Throwable t) {
            BridgeErrors.record(t);
        }
    }

    /** Detach: the recording is closed (JFR deletes its repository data) and snapshots not fetched are deleted. */
    @Override
    public void stop() {
        stopRecording();
        if (cleanupHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException e) {
                return; // the JVM is exiting: the hook runs anyway
            }
            deleteSnapshots();
        }
    }

    /** Closes the current chunk now and then (see {@link #rotateMs}); a snapshot taken and closed at once does it. */
    private void rotateLoop() {
        while (recording != null) {
            try {
                Thread.sleep(rotateMs);
            } catch (InterruptedException e) {
                return;
            }
            try {
                FlightRecorder.getFlightRecorder().takeSnapshot().close();
            } catch (Throwable t) {
                BridgeErrors.record(t);
            }
        }
    }

    private void writeStatus(JsonWriter out) {
        out.beginObject().field("on", on).field("reason", offReason).field("name", NAME)
                .field("startedAt", startedAt).field("maxAgeMs", maxAgeMs).field("maxSizeBytes", maxSizeBytes)
                .field("periodMs", periodMs).field("thresholdMs", thresholdMs).field("chunkMs", rotateMs)
                .field("oldestMs", on ? Math.max(startedAt, System.currentTimeMillis() - maxAgeMs) : 0)
                .endObject();
    }

    /** Collapsed stacks of {@code [fromMs, toMs]} from the recording (events kept by their start time). */
    private void collapsed(Map<String, Object> args, JsonWriter out) throws Exception {
        requireOn();
        ProfileRequest r = ProfileRequest.parse(withDefaultThreshold(args));
        if (!r.event().equals("cpu") && !r.event().equals("lock")) {
            throw new IllegalArgumentException("the always-on recording has cpu and lock data only, not " + r.event());
        }
        long from = millis(args, "fromMs");
        long to = millis(args, "toMs");
        Path file = dumpWindow(from, to);
        try {
            JfrCollapsed.Result result = JfrCollapsed.convert(file, r, inWindow(from, to));
            if (result.text().length > MAX_COLLAPSED_BYTES) {
                throw new IllegalStateException("the window's stacks take " + result.text().length
                        + " bytes; choose a shorter window");
            }
            queries.incrementAndGet();
            out.beginObject().field("event", r.event()).field("fromMs", from).field("toMs", to)
                    .field("samples", result.samples()).field("thresholdMs", r.thresholdMs())
                    .field("collapsed", new String(result.text(), StandardCharsets.UTF_8)).endObject();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Writes the window's data as a .jfr file: on JDK 19+ exactly the events of the window
     * ({@code RecordingFile.write} with a filter); on older JDKs the whole chunks that overlap it (JFR's own
     * granularity, what {@code jcmd JFR.dump begin= end=} gives), so at most a chunk period more on each side.
     */
    private void snapshot(Map<String, Object> args, JsonWriter out) throws Exception {
        requireOn();
        long from = millis(args, "fromMs");
        long to = millis(args, "toMs");
        Path chunks = dumpWindow(from, to);
        Path file = chunks;
        boolean exact = false;
        Method write = filteredWrite();
        if (write != null) {
            file = chunks.resolveSibling(chunks.getFileName() + ".window.jfr");
            try (RecordingFile rf = new RecordingFile(chunks)) {
                Predicate<RecordedEvent> keep = inWindow(from, to);
                write.invoke(rf, file, keep);
                exact = true;
            } finally {
                Files.deleteIfExists(chunks);
            }
        }
        String id = "s" + ids.incrementAndGet();
        synchronized (this) {
            if (snapshots.size() >= MAX_SNAPSHOTS) {
                String oldest = snapshots.keySet().stream().min(String::compareTo).orElseThrow();
                Files.deleteIfExists(snapshots.remove(oldest));
            }
            snapshots.put(id, file);
        }
        queries.incrementAndGet();
        out.beginObject().field("id", id).field("fromMs", from).field("toMs", to).field("bytes", Files.size(file))
                .field("exact", exact).field("jdk", Runtime.version().feature()).endObject();
    }

    private void fetch(Map<String, Object> args, JsonWriter out) throws IOException {
        Path file;
        synchronized (this) {
            file = snapshots.get(String.valueOf(args.get("id")));
        }
        if (file == null) {
            throw new IllegalArgumentException("no snapshot '" + args.get("id") + "' in this JVM");
        }
        long offset = args.get("offset") instanceof Number n ? n.longValue() : 0;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long total = f.length();
            if (offset < 0 || offset > total) {
                throw new IllegalArgumentException("offset " + offset + " outside 0.." + total);
            }
            byte[] chunk = new byte[(int) Math.min(ProfileFeature.CHUNK_BYTES, total - offset)];
            f.seek(offset);
            f.readFully(chunk);
            out.beginObject().field("offset", offset).field("total", total)
                    .field("data", Base64.getEncoder().encodeToString(chunk)).endObject();
        }
    }

    /**
     * The recording's chunks overlapping {@code [from, to]}, written to a temporary file by the JVM's own
     * {@code JFR.dump} (through the DiagnosticCommand MBean, in process): it closes the current chunk first, so
     * data up to now is included.
     */
    private Path dumpWindow(long from, long to) throws Exception {
        if (to < from) {
            throw new IllegalArgumentException("toMs is before fromMs");
        }
        Path file;
        synchronized (this) {
            if (dir == null) {
                dir = Files.createTempDirectory("lockscope-recording-" + ProcessHandle.current().pid() + "-");
                dir.toFile().deleteOnExit();
            }
            file = dir.resolve("window-" + ids.incrementAndGet() + ".jfr");
        }
        String[] dcmd = {"name=" + NAME, "filename=" + file.toAbsolutePath(),
                "begin=" + Instant.ofEpochMilli(from), "end=" + Instant.ofEpochMilli(to + 1)};
        Object reply = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "jfrDump",
                new Object[] {dcmd}, new String[] {String[].class.getName()});
        if (!Files.exists(file)) {
            throw new IllegalStateException("JFR.dump wrote nothing: " + String.valueOf(reply).strip());
        }
        return file;
    }

    /** {@code RecordingFile.write(Path, Predicate)}, JDK 19+; null on older JDKs. */
    private static Method filteredWrite() {
        try {
            return RecordingFile.class.getMethod("write", Path.class, Predicate.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Predicate<RecordedEvent> inWindow(long from, long to) {
        return e -> {
            long t = e.getStartTime().toEpochMilli();
            return t >= from && t <= to;
        };
    }

    private void requireOn() {
        if (!on) {
            throw new IllegalStateException("the always-on recording is off in this JVM: " + offReason);
        }
    }

    private Map<String, Object> withDefaultThreshold(Map<String, Object> args) {
        if (args.containsKey("thresholdMs")) {
            return args;
        }
        Map<String, Object> m = new HashMap<>(args);
        m.put("thresholdMs", thresholdMs);
        return m;
    }

    private static long millis(Map<String, Object> args, String key) {
        Object v = args.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException(key + " (epoch milliseconds) is required");
    }

    /** Size option: plain bytes or with a {@code kb}/{@code mb}/{@code gb} suffix; a bad value is reported. */
    private static long bytes(AgentOptions o, String key, long fallback) {
        String v = o.get(key, null);
        if (v == null) {
            return fallback;
        }
        String t = v.trim().toLowerCase(Locale.ROOT).replaceAll("b$", "");
        long factor = 1;
        if (t.endsWith("k")) {
            factor = 1L << 10;
        } else if (t.endsWith("m")) {
            factor = 1L << 20;
        } else if (t.endsWith("g")) {
            factor = 1L << 30;
        }
        try {
            long n = Long.parseLong(factor == 1 ? t : t.substring(0, t.length() - 1));
            if (n > 0) {
                return Math.multiplyExact(n, factor);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        System.err.println("lockscope: option " + key + "=" + v + " is not a size like 64mb; using " + (fallback >> 20) + "mb");
        return fallback;
    }

    private synchronized void deleteSnapshots() {
        for (Path p : snapshots.values()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // exiting anyway
            }
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
