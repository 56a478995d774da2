package dev.lockscope.dashboard.imports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.Json;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text of {@code jstack <pid>}, {@code jcmd <pid> Thread.print [-l]} and {@code kill -3} output: one or
 * more "Full thread dump" sections, each becoming a dump in the agent's own JSON shape (threads with state,
 * frames, the lock each waits on and the monitors it holds) so the dashboard's views and the findings engine
 * treat it like a dump the agent took. Deadlocks are found from the wait-for graph of the threads (and from the
 * JVM's own "Found one Java-level deadlock" section, which also names owners of j.u.c. locks when {@code -l}
 * was not given).
 *
 * <p>Lines it cannot place are reported through {@link Problems} with their line number and skipped; a file cut
 * short yields the threads before the cut.
 */
public final class ThreadDumpText {
    private static final Pattern HEADER = Pattern.compile("^\"(.*)\"\\s+(?:#(\\d+)\\s+)?(?:\\[\\d+\\]\\s+)?(daemon\\s+)?(?:prio=(\\d+)\\s+)?.*$");
    private static final Pattern STATE = Pattern.compile("^\\s+java\\.lang\\.Thread\\.State:\\s+([A-Z_]+).*$");
    private static final Pattern FRAME = Pattern.compile("^\\s+at\\s+(.+)$");
    private static final Pattern LOCK_LINE = Pattern.compile(
            "^\\s+- (waiting to lock|locked|waiting on|parking to wait for|eliminated|waiting to re-lock in wait\\(\\))\\s+<(0x[0-9a-fA-F]+)>\\s+\\(a ([^)]+)\\).*$");
    private static final Pattern OWNABLE = Pattern.compile("^\\s+- <(0x[0-9a-fA-F]+)>\\s+\\(a ([^)]+)\\).*$");
    private static final Pattern WHEN = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})$");
    private static final Pattern VM = Pattern.compile("^Full thread dump (.*?)(?: \\((\\S+).*\\))?:$");
    private static final Pattern DL_THREAD = Pattern.compile("^\"(.*)\":$");
    private static final Pattern DL_WAIT = Pattern.compile(
            "^\\s+waiting (?:to lock monitor \\S+ \\(object (0x[0-9a-fA-F]+), a ([^)]+)\\)|for ownable synchronizer (0x[0-9a-fA-F]+), \\(a ([^)]+)\\)).*$");
    private static final Pattern DL_HELD = Pattern.compile("^\\s+which is held by \"(.*)\"\\s*$");
    private static final DateTimeFormatter WHEN_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** One dump of the file: when it was taken (0 when the text did not say), its JSON, its own text. */
    public record Dump(long ts, String vm, ObjectNode json, String text, ArrayNode cycles, int firstLine) {}

    private ThreadDumpText() {}

    /** True when {@code text} looks like a thread dump (so other text files get a clear "not a thread dump"). */
    public static boolean looksLikeDump(String text) {
        return text.contains("Full thread dump") || text.contains("java.lang.Thread.State:");
    }

    /** The dumps in {@code text}, in file order; problems name {@code file} and the line. */
    public static List<Dump> parse(String file, String text, Problems problems) {
        String[] lines = text.split("\r?\n", -1);
        List<Dump> out = new ArrayList<>();
        int start = -1;
        long pendingTs = 0;
        int pendingTsLine = -1;
        for (int i = 0; i < lines.length; i++) {
            Matcher w = WHEN.matcher(lines[i]);
            if (w.matches()) {
                pendingTs = parseWhen(w.group(1));
                pendingTsLine = i;
            }
            if (lines[i].startsWith("Full thread dump")) {
                if (start >= 0) {
                    out.add(one(file, lines, start, cut(lines, start, i, pendingTsLine), tsBefore(lines, start), problems));
                }
                start = i;
            }
        }
        if (start >= 0) {
            out.add(one(file, lines, start, lines.length, tsBefore(lines, start), problems));
        } else if (text.contains("java.lang.Thread.State:")) {
            // A fragment without its header (copied from a log, or the header was cut off): still read the threads.
            problems.add(file, "line 1", "no \"Full thread dump\" header; reading the threads that follow");
            out.add(one(file, lines, 0, lines.length, 0, problems));
        } else {
            problems.add(file, null, "not a thread dump (no \"Full thread dump\" header and no thread states found)");
        }
        return out;
    }

    /** A dump ends where the next one's timestamp line (if any) starts. */
    private static int cut(String[] lines, int start, int nextHeader, int tsLine) {
        return tsLine > start && tsLine == nextHeader - 1 ? tsLine : nextHeader;
    }

    private static long tsBefore(String[] lines, int header) {
        for (int i = header - 1; i >= 0 && i >= header - 3; i--) {
            Matcher w = WHEN.matcher(lines[i]);
            if (w.matches()) {
                return parseWhen(w.group(1));
            }
        }
        return 0;
    }

    private static long parseWhen(String s) {
        try {
            return LocalDateTime.parse(s, WHEN_FORMAT).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private static final class ThreadBlock {
        final ObjectNode json;
        final ArrayNode frames;
        final ArrayNode lockedMonitors;
        final List<String[]> held = new ArrayList<>(); // {address, class, frame}
        String waitAddress;
        String waitClass;
        String waitVerb;

        ThreadBlock(ObjectNode json) {
            this.json = json;
            this.frames = json.putArray("frames");
            this.lockedMonitors = json.putArray("lockedMonitors");
        }
    }

    private static Dump one(String file, String[] lines, int from, int to, long ts, Problems problems) {
        ObjectNode dump = Json.MAPPER.createObjectNode();
        String vm = null;
        Matcher v = VM.matcher(lines[from]);
        if (v.matches()) {
            vm = v.group(1);
            dump.put("jvmVersion", v.group(2) != null ? v.group(2) : v.group(1));
        }
        dump.put("ts", ts).put("lockedSynchronizers", false).put("source", "jstack text");
        ArrayNode threads = dump.putArray("threads");
        Map<String, ThreadBlock> byName = new LinkedHashMap<>();
        ThreadBlock current = null;
        boolean inOwnable = false;
        boolean inDeadlockSection = false;
        boolean inSkippedBlock = false;
        List<String[]> reportedEdges = new ArrayList<>(); // {waiter, address, class, owner, kind}
        String dlThread = null;
        String[] dlWait = null;
        boolean complete = false;
        int lastLine = from;
        for (int i = lines[from].startsWith("Full thread dump") ? from + 1 : from; i < to; i++) {
            String line = lines[i];
            if (!line.isBlank()) {
                lastLine = i;
            }
            if (line.startsWith("JNI global refs")) {
                complete = true; // the JVM writes this line after the last thread
            }
            if (line.isBlank()) {
                inOwnable = false;
                inSkippedBlock = false;
                current = null;
                continue;
            }
            if (line.startsWith("Found one Java-level deadlock") || line.startsWith("Found a total of")) {
                inDeadlockSection = true;
                current = null;
                continue;
            }
            if (inDeadlockSection) {
                Matcher t = DL_THREAD.matcher(line);
                Matcher dw = DL_WAIT.matcher(line);
                Matcher dh = DL_HELD.matcher(line);
                if (line.startsWith("Java stack information")) {
                    dlThread = null; // the stacks repeat the ones above; the edges are all we need from here
                } else if (t.matches()) {
                    dlThread = t.group(1);
                } else if (dw.matches() && dlThread != null) {
                    boolean monitor = dw.group(1) != null;
                    dlWait = new String[] {monitor ? dw.group(1) : dw.group(3), monitor ? dw.group(2) : dw.group(4),
                            monitor ? "monitor" : "synchronizer"};
                } else if (dh.matches() && dlThread != null && dlWait != null) {
                    reportedEdges.add(new String[] {dlThread, dlWait[0], dlWait[1], dh.group(1), dlWait[2]});
                    dlWait = null;
                }
                continue;
            }
            if (line.startsWith("\"")) {
                Matcher h = HEADER.matcher(line);
                if (!h.matches() || h.group(2) == null) {
                    // VM-internal threads ("VM Thread", "GC Thread#0", ...) have no Java id: the agent's dumps
                    // leave them out too.
                    inSkippedBlock = h.matches();
                    if (!h.matches()) {
                        problems.add(file, "line " + (i + 1), "unreadable thread header, skipped: " + clip(line));
                    }
                    current = null;
                    continue;
                }
                ObjectNode t = threads.addObject().put("id", Long.parseLong(h.group(2))).put("name", h.group(1))
                        .put("state", "UNKNOWN").put("daemon", h.group(3) != null)
                        .put("priority", h.group(4) == null ? 5 : Integer.parseInt(h.group(4)));
                current = new ThreadBlock(t);
                byName.putIfAbsent(h.group(1), current);
                inOwnable = false;
                continue;
            }
            if (inSkippedBlock || line.startsWith("JNI global refs") || line.startsWith("Threads class SMR info")
                    || line.startsWith("_java_thread_list") || line.startsWith("_to_delete_list") || line.startsWith("0x") || line.equals("}")
                    || line.matches("^\\d+:$") || WHEN.matcher(line).matches()
                    || (current == null && line.matches("^\\s*(os_prio|prio|tid)=.*"))) {
                continue; // jcmd's pid line, SMR info, JNI refs: nothing about Java threads
            }
            if (current == null) {
                problems.add(file, "line " + (i + 1), "not part of any thread, skipped: " + clip(line));
                continue;
            }
            Matcher m;
            if ((m = STATE.matcher(line)).matches()) {
                current.json.put("state", m.group(1));
            } else if ((m = FRAME.matcher(line)).matches()) {
                current.frames.add(m.group(1).trim());
            } else if ((m = LOCK_LINE.matcher(line)).matches()) {
                String verb = m.group(1);
                String frame = current.frames.isEmpty() ? null : current.frames.get(current.frames.size() - 1).asText();
                if (verb.equals("locked")) {
                    current.held.add(new String[] {m.group(2), m.group(3), frame});
                } else if (!verb.equals("eliminated") && current.waitAddress == null) {
                    current.waitAddress = m.group(2);
                    current.waitClass = m.group(3);
                    current.waitVerb = verb;
                }
            } else if (line.trim().equals("Locked ownable synchronizers:")) {
                inOwnable = true;
                dump.put("lockedSynchronizers", true);
            } else if (inOwnable && (m = OWNABLE.matcher(line)).matches()) {
                current.json.withArray("lockedSynchronizers").addObject().put("className", m.group(2))
                        .put("identityHash", m.group(1));
                current.held.add(new String[] {m.group(1), m.group(2), null});
            } else if (inOwnable && line.trim().equals("- None")) {
                continue;
            } else if (line.trim().startsWith("- waiting on <no object reference available>")
                    || line.trim().startsWith("- waiting on the Class initialization monitor")
                    || line.trim().startsWith("No compile task") || line.trim().startsWith("Compiling:") || line.trim().startsWith("Carrying virtual thread")) {
                continue;
            } else {
                problems.add(file, "line " + (i + 1), "unreadable line in thread \"" + current.json.path("name").asText()
                        + "\", skipped: " + clip(line));
            }
        }
        Map<String, ThreadBlock> ownerOf = new HashMap<>();
        for (ThreadBlock t : byName.values()) {
            for (String[] h : t.held) {
                // A thread in Object.wait() released the monitor it lists as locked further down its stack.
                if (!h[0].equals(t.waitAddress) || !"waiting on".equals(t.waitVerb)) {
                    ownerOf.putIfAbsent(h[0], t);
                }
            }
        }
        for (ThreadBlock t : byName.values()) {
            for (String[] h : t.held) {
                if (!h[0].equals(t.waitAddress) || !"waiting on".equals(t.waitVerb)) {
                    ObjectNode lm = t.lockedMonitors.addObject().put("className", h[1]).put("identityHash", h[0]);
                    if (h[2] != null) {
                        lm.put("frame", h[2]);
                    }
                }
            }
            if (t.waitAddress != null) {
                t.json.putObject("waitingOn").put("className", t.waitClass).put("identityHash", t.waitAddress);
                t.json.put("waitKind", switch (t.waitVerb) {
                    case "waiting to lock" -> "monitor-enter";
                    case "waiting on", "waiting to re-lock in wait()" -> "object-wait";
                    default -> "park";
                });
                ThreadBlock owner = t.waitVerb.equals("waiting on") ? null : ownerOf.get(t.waitAddress);
                if (owner != null && owner != t) {
                    t.json.put("lockOwnerId", owner.json.path("id").asLong()).put("lockOwnerName",
                            owner.json.path("name").asText());
                }
            }
            t.json.put("stackDepth", t.frames.size());
        }
        for (String[] e : reportedEdges) {
            ThreadBlock waiter = byName.get(e[0]);
            ThreadBlock owner = byName.get(e[3]);
            if (waiter != null && owner != null && !waiter.json.has("lockOwnerId")) {
                waiter.json.put("lockOwnerId", owner.json.path("id").asLong()).put("lockOwnerName", e[3]);
                if (waiter.waitAddress == null) {
                    waiter.waitAddress = e[1];
                    waiter.waitClass = e[2];
                    waiter.waitVerb = "synchronizer".equals(e[4]) ? "parking to wait for" : "waiting to lock";
                }
            }
        }
        ArrayNode cycles = Cycles.find(byName.values().stream().map(t -> t.json).toList());
        ArrayNode deadlocked = dump.putArray("deadlockedThreadIds");
        for (var c : cycles) {
            for (var t : c.path("threads")) {
                deadlocked.add(t.path("id").asLong());
            }
        }
        dump.put("threadCount", threads.size());
        StringBuilder text = new StringBuilder();
        for (int i = Math.max(0, from - (ts > 0 ? 1 : 0)); i < to; i++) {
            text.append(lines[i]).append('\n');
        }
        if (threads.isEmpty()) {
            problems.add(file, "line " + (from + 1), "thread dump without any Java thread");
        } else if (!complete) {
            problems.add(file, "line " + (lastLine + 1), "the dump stops here, before its closing \"JNI global refs\" "
                    + "line: the file looks cut short; the " + threads.size() + " threads before the cut were read");
        }
        return new Dump(ts, vm, dump, text.toString(), cycles, from + 1);
    }

    private static String clip(String s) {
        String t = s.strip();
        return t.length() > 80 ? t.substring(0, 80) + "…" : t;
    }
}
