package dev.lockscope.dashboard.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Files other tools wrote about one JVM — {@code jstack}/{@code jcmd Thread.print} text dumps and {@code .jfr}
 * recordings — read into the shapes the agent sends (dumps, deadlock reports, once-a-second lock samples, long
 * lock waits), so {@link #loadInto} can replay them into a {@link JvmRegistry} and the same findings engine,
 * services and views work on them. Built by {@link #read}, which never throws for bad content: what could not be
 * read is in {@link #problems()}.
 */
public final class ImportedJvm {
    /** Waits at least this long are replayed one by one, like the agent's {@code locks.longWait} default. */
    static final long LONG_WAIT_NS = 100_000_000;
    /** Most waits kept from recordings (a day-long recording must not exhaust the heap). */
    static final int MAX_WAITS = 200_000;
    /** Most synthetic samples: one a second, coarser for recordings longer than this many seconds. */
    static final int MAX_SAMPLES = 3_600;
    /** Most locks in a sample, heaviest total wait first (the agent's own cap is {@code locks.maxLocks}). */
    static final int MAX_LOCKS = 200;

    /** Largest text file read: thousands of dumps of thousands of threads, still well within a heap. */
    static final long MAX_TEXT_BYTES = 256L * 1024 * 1024;

    /** One file to read: the name to report it by, and where its bytes are. */
    public record Input(String name, Path path) {}

    /** A dump with the file it came from. */
    record FileDump(String file, ThreadDumpText.Dump dump) {}

    private final List<String> files = new ArrayList<>();
    private final List<FileDump> dumps = new ArrayList<>();
    private final List<JfrRecording.Wait> waits = new ArrayList<>();
    private final Map<String, Long> cpu = new LinkedHashMap<>();
    private final Problems problems = new Problems();
    private final ObjectNode identity = Json.MAPPER.createObjectNode();
    private long cpuSamples;

    private ImportedJvm() {}

    /** Reads every input; unreadable parts become {@link #problems()}, never exceptions. */
    public static ImportedJvm read(List<Input> inputs) {
        ImportedJvm j = new ImportedJvm();
        for (Input in : inputs) {
            j.files.add(in.name());
            try {
                j.readOne(in);
            } catch (IOException e) {
                j.problems.add(in.name(), null, "cannot be read: " + e.getMessage());
            }
        }
        j.dumps.sort(Comparator.comparingLong(d -> d.dump().ts())); // stable: file order for equal or unknown times
        j.identity.put("name", "import: " + String.join(", ", j.files.stream().map(ImportedJvm::baseName).toList()))
                .put("imported", true).put("agentVersion", "import");
        ArrayNode fileList = j.identity.putArray("files");
        j.files.forEach(fileList::add);
        return j;
    }

    private void readOne(Input in) throws IOException {
        byte[] head;
        try (InputStream s = Files.newInputStream(in.path())) {
            head = s.readNBytes(4);
        }
        if (head.length == 0) {
            problems.add(in.name(), null, "empty file");
            return;
        }
        if (JfrRecording.isJfr(head)) {
            readJfr(in);
            return;
        }
        long size = Files.size(in.path());
        if (size > MAX_TEXT_BYTES) {
            problems.add(in.name(), null, size + " bytes is more text than a thread dump file holds (at most "
                    + MAX_TEXT_BYTES + "): not read");
            return;
        }
        String text = new String(Files.readAllBytes(in.path()), StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0 && !ThreadDumpText.looksLikeDump(text)) {
            problems.add(in.name(), null, "neither a thread dump (text) nor a JFR recording (binary file without JFR's header)");
            return;
        }
        java.util.regex.Matcher pid = java.util.regex.Pattern.compile("(?m)^(\\d{1,10}):$").matcher(text);
        if (pid.find() && !identity.has("pid")) {
            identity.put("pid", Long.parseLong(pid.group(1))); // jcmd's first line names the process
        }
        for (ThreadDumpText.Dump d : ThreadDumpText.parse(in.name(), text, problems)) {
            dumps.add(new FileDump(in.name(), d));
            if (d.vm() != null && !identity.has("jvmVersion")) {
                identity.put("jvmVersion", d.json().path("jvmVersion").asText()).put("jvmVendor", d.vm());
            }
        }
    }

    private void readJfr(Input in) {
        JfrRecording r = JfrRecording.read(in.name(), in.path(), problems);
        for (JfrRecording.Wait w : r.waits) {
            if (waits.size() >= MAX_WAITS) {
                problems.add(in.name(), null, "more than " + MAX_WAITS + " contended waits: the rest were not imported");
                break;
            }
            waits.add(w);
        }
        r.cpu.forEach((k, v) -> cpu.merge(k, v, Long::sum));
        cpuSamples += r.cpuSamples;
        int n = 0;
        for (JfrRecording.DumpText t : r.dumps) {
            n++;
            for (ThreadDumpText.Dump d : ThreadDumpText.parse(in.name() + " (jdk.ThreadDump " + n + ")", t.text(), problems)) {
                dumps.add(new FileDump(in.name(), new ThreadDumpText.Dump(t.ts(), d.vm(), (ObjectNode) d.json().put("ts", t.ts()),
                        d.text(), d.cycles(), d.firstLine())));
            }
        }
        if (r.jvmVersion != null) {
            identity.put("jvmVersion", r.jvmVersion).put("jvmVendor", r.jvmName);
        }
        if (r.pid >= 0) {
            identity.put("pid", r.pid);
        }
        if (r.jvmStartMs > 0) {
            identity.put("startTime", r.jvmStartMs);
        }
        if (r.javaArguments != null) {
            identity.put("mainClass", r.javaArguments.split(" ")[0]);
            ArrayNode args = identity.putArray("inputArguments");
            if (r.jvmArguments != null && !r.jvmArguments.isBlank()) {
                for (String a : r.jvmArguments.trim().split("\\s+")) {
                    args.add(a);
                }
            }
        }
        if (r.events == 0) {
            return;
        }
        if (r.waits.isEmpty() && r.cpuSamples == 0 && r.dumps.isEmpty()) {
            problems.add(in.name(), null, "no contention, park, CPU sample or thread dump events in this recording "
                    + "(recorded with settings that leave them out?)");
        }
    }

    private static String baseName(String f) {
        int slash = Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\'));
        return slash < 0 ? f : f.substring(slash + 1);
    }

    public List<String> problems() {
        return problems.messages();
    }

    public List<String> files() {
        return List.copyOf(files);
    }

    public JsonNode identity() {
        return identity;
    }

    /** True when nothing at all could be read: no dump, no wait, no CPU sample. */
    public boolean isEmpty() {
        return dumps.isEmpty() && waits.isEmpty() && cpu.isEmpty();
    }

    /** CPU samples of the recordings as collapsed stacks ({@code frame;frame count} lines), or null without any. */
    public byte[] cpuCollapsed() {
        if (cpu.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        cpu.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    public long cpuSamples() {
        return cpuSamples;
    }

    /**
     * Replays everything, in time order, into {@code registry} as JVM {@code jvmId}: dumps become captures (a
     * dump with a deadlock arrives as the agent's {@code deadlock} event, carrying its dump), recordings become
     * once-a-second lock samples and {@code lock-wait} events. The session is left disconnected: read-only.
     *
     * @param captures must be registered on {@code registry} before the findings engine (it reads them)
     */
    public JvmSession loadInto(JvmRegistry registry, ThreadCaptures captures, String jvmId) {
        long now = System.currentTimeMillis();
        // Dumps without a time of their own keep their order one second apart, ending at the import.
        int unknown = 0;
        for (FileDump d : dumps) {
            unknown += d.dump().ts() == 0 ? 1 : 0;
        }
        List<Runnable> order = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        ObjectNode id = identity.deepCopy();
        long first = Long.MAX_VALUE;
        int k = 0;
        List<long[]> deadlockedAt = new ArrayList<>(); // {ts, deadlocked threads}
        JvmSession[] session = new JvmSession[1];
        for (FileDump d : dumps) {
            long ts = d.dump().ts() != 0 ? d.dump().ts() : now - (unknown - (k++)) * 1000L;
            first = Math.min(first, ts);
            ObjectNode json = d.dump().json().deepCopy().put("ts", ts).put("file", d.file());
            json.put("text", d.dump().text());
            deadlockedAt.add(new long[] {ts, json.path("deadlockedThreadIds").size()});
            if (!d.dump().cycles().isEmpty()) {
                ObjectNode body = Json.MAPPER.createObjectNode().put("detectedAt", ts)
                        .put("note", "found in " + d.file() + " (wait-for graph of the dump)");
                body.set("cycles", d.dump().cycles());
                body.putArray("blockedBehind");
                body.set("dump", json);
                at.add(ts);
                order.add(() -> registry.eventArrived(session[0], new JvmSession.Event("deadlock", 0, ts, body)));
            } else {
                at.add(ts);
                order.add(() -> captures.add(session[0].id(), json, "import: " + baseName(d.file())));
            }
        }
        if (!waits.isEmpty()) {
            addLockTimeline(registry, session, order, at, deadlockedAt);
            first = Math.min(first, waits.stream().mapToLong(JfrRecording.Wait::startMs).min().orElse(first));
        }
        if (!id.has("startTime") && first != Long.MAX_VALUE) {
            id.put("startTime", first);
        }
        session[0] = registry.connect(jvmId, id, List.of("import"), msg -> {
            throw new IllegalStateException("an imported JVM is read-only");
        });
        Integer[] idx = new Integer[order.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, Comparator.comparingLong(at::get)); // stable: dumps before samples at the same ms
        for (int i : idx) {
            order.get(i).run();
        }
        session[0].detach();
        return session[0];
    }

    /** Cumulative per-lock samples (as the agent's {@code body.locks}) and long-wait events from the recordings. */
    private void addLockTimeline(JvmRegistry registry, JvmSession[] session, List<Runnable> order, List<Long> at,
                                 List<long[]> deadlockedAt) {
        Map<String, List<JfrRecording.Wait>> byLock = new HashMap<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (JfrRecording.Wait w : waits) {
            byLock.computeIfAbsent(w.lockKey(), x -> new ArrayList<>()).add(w);
            from = Math.min(from, w.startMs());
            to = Math.max(to, w.endMs());
            if (w.durationNs() >= LONG_WAIT_NS) {
                ObjectNode b = Json.MAPPER.createObjectNode().put("lockId", w.lockKey()).put("name", lockName(w))
                        .put("kind", w.kind()).put("class", w.lockClass()).put("thread", w.thread())
                        .put("threadId", w.threadId()).put("waitNs", w.durationNs()).put("endMs", w.endMs());
                ArrayNode st = b.putArray("stack");
                w.frames().forEach(st::add);
                at.add(w.endMs());
                order.add(() -> registry.eventArrived(session[0], new JvmSession.Event("lock-wait", 0, w.endMs(), b)));
            }
        }
        List<List<JfrRecording.Wait>> locks = new ArrayList<>(byLock.values());
        locks.sort(Comparator.comparingLong((List<JfrRecording.Wait> l) -> -l.stream().mapToLong(JfrRecording.Wait::durationNs).sum()));
        if (locks.size() > MAX_LOCKS) {
            problems.add("recordings", null, locks.size() + " contended locks: only the " + MAX_LOCKS + " with the most wait time are tabled");
            locks = locks.subList(0, MAX_LOCKS);
        }
        long step = Math.max(1000, ((to - from) / MAX_SAMPLES / 1000 + 1) * 1000);
        List<LockSeries> series = locks.stream().map(LockSeries::new).toList();
        long seq = 0;
        for (long ts = (from / 1000) * 1000 + step; ts < to + 2 * step; ts += step) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            ObjectNode lockSection = body.putObject("locks");
            ArrayNode arr = lockSection.putArray("locks");
            for (LockSeries s : series) {
                ObjectNode row = s.at(ts);
                if (row != null) {
                    arr.add(row);
                }
            }
            lockSection.putObject("jfr").put("enabled", true).put("source", "imported recording");
            lockSection.putObject("coverage").put("source", "jfr").put("note",
                    "from a JFR recording: waits above the recording's thresholds (20 ms in JFR's default settings)");
            lockSection.putArray("blockedNow");
            lockSection.putArray("signalWaits");
            long dead = 0;
            for (long[] d : deadlockedAt) {
                if (d[0] <= ts) {
                    dead = d[1];
                }
            }
            body.putObject("threads").put("deadlockedThreads", dead);
            JvmSession.Sample sample = new JvmSession.Sample(++seq, ts, body);
            at.add(ts);
            order.add(() -> registry.sampleArrived(session[0], sample));
        }
    }

    static String lockName(JfrRecording.Wait w) {
        String c = w.lockClass();
        int dollar = c.indexOf('$', c.lastIndexOf('.') + 1);
        // ReentrantLock$NonfairSync is what a ReentrantLock parks on: name the lock, not its internals.
        String shown = c.startsWith("java.util.concurrent.locks.") && dollar > 0 ? c.substring(0, dollar) : c;
        return shown.substring(shown.lastIndexOf('.') + 1) + " " + w.address();
    }

    /** One lock's cumulative counters at any sample time. */
    private static final class LockSeries {
        final List<JfrRecording.Wait> byEnd;
        final JfrRecording.Wait any;
        final ArrayNode waiterStacks = Json.MAPPER.createArrayNode();

        LockSeries(List<JfrRecording.Wait> waits) {
            byEnd = new ArrayList<>(waits);
            byEnd.sort(Comparator.comparingLong(JfrRecording.Wait::endMs));
            any = byEnd.get(0);
            Map<List<String>, long[]> stacks = new HashMap<>();
            for (JfrRecording.Wait w : waits) {
                long[] c = stacks.computeIfAbsent(w.frames(), f -> new long[2]);
                c[0] += w.durationNs();
                c[1]++;
            }
            stacks.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(5)
                    .forEach(e -> {
                        ObjectNode s = waiterStacks.addObject().put("weightNs", e.getValue()[0]).put("count", e.getValue()[1]);
                        ArrayNode f = s.putArray("frames");
                        e.getKey().forEach(f::add);
                    });
        }

        /** The lock's row as of {@code ts}, or null before its first wait ended. */
        ObjectNode at(long ts) {
            Histogram h = new Histogram(3_600_000_000L, 2);
            long n = 0;
            long total = 0;
            long max = 0;
            long firstSeen = Long.MAX_VALUE;
            List<long[]> intervals = new ArrayList<>();
            for (JfrRecording.Wait w : byEnd) {
                if (w.startMs() <= ts) {
                    intervals.add(new long[] {w.startMs(), Math.min(w.endMs(), ts)});
                }
                if (w.endMs() > ts) {
                    continue;
                }
                n++;
                total += w.durationNs();
                max = Math.max(max, w.durationNs());
                firstSeen = Math.min(firstSeen, w.startMs());
                h.recordValue(Math.min(h.getHighestTrackableValue(), Math.max(1, w.durationNs() / 1000)));
            }
            if (n == 0) {
                return null;
            }
            intervals.sort(Comparator.comparingLong(x -> x[0]));
            long contended = 0;
            long curS = Long.MIN_VALUE;
            long curE = Long.MIN_VALUE;
            int waitersNow = 0;
            int maxWaiters = 0;
            List<long[]> points = new ArrayList<>();
            for (long[] iv : intervals) {
                if (iv[0] > curE) {
                    contended += curE > curS ? curE - curS : 0;
                    curS = iv[0];
                    curE = iv[1];
                } else {
                    curE = Math.max(curE, iv[1]);
                }
                points.add(new long[] {iv[0], 1});
                points.add(new long[] {iv[1], -1});
            }
            contended += curE > curS ? curE - curS : 0;
            points.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            int cur = 0;
            for (long[] p : points) {
                cur += (int) p[1];
                maxWaiters = Math.max(maxWaiters, cur);
            }
            for (JfrRecording.Wait w : byEnd) {
                if (w.startMs() <= ts && w.endMs() > ts) {
                    waitersNow++;
                }
            }
            ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            int len = h.encodeIntoCompressedByteBuffer(buf);
            ObjectNode o = Json.MAPPER.createObjectNode().put("id", any.lockKey()).put("name", lockName(any))
                    .put("kind", any.kind()).put("class", any.lockClass()).put("identityHash", any.address())
                    .put("source", "jfr").put("ownerModel", "thread")
                    .put("waits", n).put("totalWaitNs", total).put("maxWaitNs", max).put("maxWaiters", maxWaiters)
                    .put("waitersNow", waitersNow).put("firstSeenMs", firstSeen).put("contendedNs", contended * 1_000_000)
                    .put("histMicros", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), len)));
            o.set("waiterStacks", waiterStacks);
            o.putArray("ownerStacks");
            return o;
        }
    }
}
