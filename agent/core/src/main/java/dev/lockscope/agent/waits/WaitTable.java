package dev.lockscope.agent.waits;

import dev.lockscope.agent.waits.ThreadClassifier.Classified;
import dev.lockscope.agent.waits.ThreadClassifier.State;
import dev.lockscope.protocol.JsonWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cumulative wall time per thread group and state, and per wait site (group, state, site frame, JDK call),
 * fed by {@link #tick} with one look at every thread. Bounded: at most {@link #MAX_GROUPS} groups and
 * {@link #MAX_SITES} sites; the rest is counted in {@code (other)} and {@code omittedSites}.
 *
 * <p>Thread-safety: every method is {@code synchronized}; only agent threads call them (the waits sampler
 * and the agent's sampler), never an application thread.
 */
final class WaitTable {
    static final int MAX_GROUPS = 64;
    static final int MAX_SITES = 200;
    static final String OTHER = "(other)";
    /** Holder names sent per site. */
    static final int MAX_HELD_BY = 8;
    /** Frames kept for a site's example stack. */
    static final int SITE_STACK = 16;

    private static final State[] STATES = State.values();

    private static final class Group {
        final long[] ns = new long[STATES.length];
        long cpuNs;
        int threadsNow;
    }

    private static final class Site {
        final String id;
        final String group;
        final State state;
        final String frame;
        final String waitsOn;
        String blocker;
        String ownerNow;
        String[] stack;
        long ns;
        long samples;
        int waitersNow;
        int waitersMax;
        int holdersNow;
        /** Names of the holders at the last look that judged them: who the waiters wait on. */
        List<String> heldBy = List.of();
        int holdersMax;
        long holderSum;
        long contendedTicks;
        final long firstSeenMs;

        Site(String id, String group, State state, String frame, String waitsOn, long now) {
            this.id = id;
            this.group = group;
            this.state = state;
            this.frame = frame;
            this.waitsOn = waitsOn;
            this.firstSeenMs = now;
        }
    }

    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Site> sites = new LinkedHashMap<>();
    private final Map<Long, String> groupOfThread = new HashMap<>();
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private long ticks;
    private long sampledNs;
    private long omittedSites;
    private long nextSiteId;

    /**
     * Adds {@code dtNs} of wall time to each thread's state. {@code stacks[i]} is null on looks that read no
     * stacks; holders are counted only on looks that did.
     */
    synchronized void tick(long[] ids, String[] names, Classified[] states, StackTraceElement[][] stacks, long dtNs) {
        ticks++;
        sampledNs += dtNs;
        long now = System.currentTimeMillis();
        groups.values().forEach(g -> g.threadsNow = 0);
        sites.values().forEach(s -> { s.waitersNow = 0; s.holdersNow = 0; s.ownerNow = null; });
        groupOfThread.clear();
        List<Site> touched = new ArrayList<>();
        boolean withStacks = false;
        for (int i = 0; i < ids.length; i++) {
            Classified c = states[i];
            if (c == null) {
                continue;
            }
            withStacks |= stacks[i] != null;
            String gName = groupName(ThreadClassifier.group(names[i]));
            Group g = groups.get(gName);
            g.threadsNow++;
            g.ns[c.state().ordinal()] += dtNs;
            groupOfThread.put(ids[i], gName);
            if (c.site() != null && (c.state() == State.PARKED || c.state() == State.SLEEP || c.state() == State.IO)) {
                Site s = site(gName, c, now);
                if (s != null) {
                    s.ns += dtNs;
                    s.samples++;
                    s.waitersNow++;
                    s.blocker = c.blocker();
                    if (c.owner() != null) {
                        s.ownerNow = c.owner();
                    }
                    if (s.stack == null && stacks[i] != null) {
                        s.stack = stack(stacks[i]);
                    }
                    if (s.waitersNow == 1) {
                        touched.add(s);
                    }
                }
            }
        }
        if (withStacks) {
            sites.values().forEach(s -> s.heldBy = List.of());
        }
        for (Site s : touched) {
            s.waitersMax = Math.max(s.waitersMax, s.waitersNow);
            if (withStacks && s.state == State.PARKED && s.waitersNow >= 2) {
                List<String> heldBy = holders(s, names, stacks, states);
                s.holdersNow = heldBy.size();
                s.heldBy = heldBy.size() > MAX_HELD_BY ? heldBy.subList(0, MAX_HELD_BY) : heldBy;
                s.holdersMax = Math.max(s.holdersMax, s.holdersNow);
                s.holderSum += s.holdersNow;
                s.contendedTicks++;
            }
        }
    }

    /**
     * Threads that seem to hold what the waiters at {@code s} wait for: not idle, running code of the same
     * package as the waiting frame (a pool's connections and statements live next to the pool), and not inside
     * the waiting frame itself (those are acquiring, not holding). Judged from the stacks alone: between stack
     * reads a thread's remembered classification may be stale.
     */
    private static List<String> holders(Site s, String[] names, StackTraceElement[][] stacks, Classified[] states) {
        int paren = s.frame.indexOf('(');
        int methodDot = s.frame.lastIndexOf('.', paren);
        String cls = s.frame.substring(0, methodDot);
        String method = s.frame.substring(methodDot + 1, paren);
        int dot = cls.lastIndexOf('.');
        if (dot < 0) {
            return List.of();
        }
        String pkg = cls.substring(0, dot + 1);
        List<String> held = new ArrayList<>();
        for (int i = 0; i < stacks.length; i++) {
            Classified c = states[i];
            if (c == null || stacks[i] == null || c.state() == State.IDLE) {
                continue;
            }
            boolean inPackage = false;
            boolean acquiring = false;
            for (StackTraceElement e : stacks[i]) {
                inPackage |= e.getClassName().startsWith(pkg);
                acquiring |= e.getClassName().equals(cls) && e.getMethodName().equals(method);
            }
            if (inPackage && !acquiring) {
                held.add(names[i]);
            }
        }
        return held;
    }

    /** Adds each thread's CPU time since the last call to its group. */
    synchronized void addCpu(long[] ids, long[] cpuNs) {
        Map<Long, Long> seen = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (cpuNs[i] < 0) {
                continue;
            }
            Long before = lastCpu.get(ids[i]);
            String g = groupOfThread.get(ids[i]);
            if (before != null && g != null) {
                groups.get(g).cpuNs += Math.max(0, cpuNs[i] - before);
            }
            seen.put(ids[i], cpuNs[i]);
        }
        lastCpu.clear();
        lastCpu.putAll(seen);
    }

    private String groupName(String name) {
        if (!groups.containsKey(name)) {
            if (groups.size() >= MAX_GROUPS - 1 && !name.equals(OTHER)) {
                name = OTHER;
            }
            groups.computeIfAbsent(name, k -> new Group());
        }
        return name;
    }

    private Site site(String group, Classified c, long now) {
        String frame = c.site();
        String key = group + '|' + c.state() + '|' + frame + '|' + c.waitsOn();
        Site s = sites.get(key);
        if (s == null) {
            if (sites.size() >= MAX_SITES) {
                omittedSites++;
                return null;
            }
            s = new Site("w" + (++nextSiteId), group, c.state(), frame, c.waitsOn(), now);
            sites.put(key, s);
        }
        return s;
    }

    private static String[] stack(StackTraceElement[] st) {
        String[] out = new String[Math.min(SITE_STACK, st.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = ThreadClassifier.frame(st[i]);
        }
        return out;
    }

    /** {@code ticks, sampledNs, groups[], sites[], omittedSites}; per-second maxima restart after each write. */
    synchronized void write(JsonWriter w) {
        w.field("ticks", ticks).field("sampledNs", sampledNs);
        w.name("groups").beginArray();
        for (Map.Entry<String, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            w.beginObject().field("name", e.getKey()).field("threadsNow", g.threadsNow).field("cpuNs", g.cpuNs);
            for (State s : STATES) {
                w.field(s.name().toLowerCase() + "Ns", g.ns[s.ordinal()]);
            }
            w.endObject();
        }
        w.endArray();
        w.name("sites").beginArray();
        for (Site s : sites.values()) {
            w.beginObject().field("id", s.id).field("group", s.group).field("state", s.state.name().toLowerCase())
                    .field("site", s.frame).field("waitsOn", s.waitsOn).field("blocker", s.blocker)
                    .field("ns", s.ns).field("samples", s.samples).field("waitersNow", s.waitersNow)
                    .field("waitersMax", s.waitersMax).field("holdersNow", s.holdersNow)
                    .field("holdersMax", s.holdersMax).field("holderSum", s.holderSum)
                    .field("contendedTicks", s.contendedTicks).field("ownerNow", s.ownerNow)
                    .name("heldBy").beginArray();
            s.heldBy.forEach(w::value);
            w.endArray()
                    .field("firstSeenMs", s.firstSeenMs).field("stack", s.stack == null ? List.of() : List.of(s.stack))
                    .endObject();
            s.waitersMax = s.waitersNow;
            s.holdersMax = s.holdersNow;
        }
        w.endArray();
        w.field("omittedSites", omittedSites);
    }
}
