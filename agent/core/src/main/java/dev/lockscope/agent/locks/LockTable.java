package dev.lockscope.agent.locks;

import dev.lockscope.bridge.LockWait;
import dev.lockscope.protocol.JsonWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Per-lock aggregation of every wait the agent learnt about (instrumentation, JFR, live thread sampling).
 *
 * <p>Concurrency contract: every method is {@code synchronized}; callers are the agent's own threads only
 * (the drain thread, the JFR stream thread, the sampler thread), never application threads, so a monitor
 * is safe here and the application never waits on it.
 */
final class LockTable {
    /** Locks written to each sample (heaviest total wait first). */
    static final int SAMPLE_LOCKS = 100;
    /** Of those, how many carry their waiter and owner stacks. */
    static final int SAMPLE_LOCKS_WITH_STACKS = 20;

    /** One long wait to report as an event. */
    record LongWait(LockStats lock, String thread, long threadId, long waitNs, long endMs, String[] frames) {}

    private final int maxLocks;
    private final long longWaitNs;
    private final long nanoToEpochMs;
    private final Map<String, List<LockStats>> byKey = new HashMap<>();
    private final Map<String, LockStats> signals = new HashMap<>();
    private List<LiveLocks.Blocked> blockedNow = List.of();
    long droppedLocks;
    /** Garbage-collected locks dropped early to make room for new ones (see {@link #roomForOneMore}). */
    long evictedLocks;
    /** Locks in {@code byKey}, kept as a count: a full table is asked on every new lock. */
    private int tracked;
    private long nextEviction;
    long droppedLockWaits;
    long monitorEvents;
    long parkEvents;
    long monitorWaitEvents;
    long liveSamples;

    LockTable(int maxLocks, long longWaitNs) {
        this.maxLocks = maxLocks;
        this.longWaitNs = longWaitNs;
        this.nanoToEpochMs = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
    }

    long epochMs(long nanoTime) {
        return nanoToEpochMs + nanoTime / 1_000_000;
    }

    /** What a synchronizer's class and wait mode say about the wait. */
    record Kind(String kind, String ownerModel, boolean signal, boolean exclusive) {}

    static Kind classify(String cls, int mode) {
        if (mode == LockWait.MODE_CONDITION) {
            return new Kind("Condition re-acquire", "none", true, false);
        }
        if (mode == LockWait.MODE_STAMPED_WRITE) {
            return new Kind("StampedLock.write", "none", false, true);
        }
        if (mode == LockWait.MODE_STAMPED_READ) {
            return new Kind("StampedLock.read", "none", false, false);
        }
        boolean shared = mode == LockWait.MODE_SHARED;
        if (cls.startsWith("java.util.concurrent.locks.ReentrantLock$")) {
            return new Kind("ReentrantLock", "exclusive", false, true);
        }
        if (cls.startsWith("java.util.concurrent.locks.ReentrantReadWriteLock$")) {
            return shared ? new Kind("ReentrantReadWriteLock.read", "none", false, false)
                    : new Kind("ReentrantReadWriteLock.write", "exclusive", false, true);
        }
        if (cls.startsWith("java.util.concurrent.Semaphore$")) {
            return new Kind("Semaphore", "none", false, false);
        }
        if (cls.equals("java.util.concurrent.CountDownLatch$Sync")) {
            return new Kind("CountDownLatch", "none", true, false);
        }
        return shared ? new Kind("AbstractQueuedSynchronizer (shared)", "none", false, false)
                : new Kind("AbstractQueuedSynchronizer", "exclusive", false, true);
    }

    /**
     * Adds a drained batch of instrumented waits (any order); returns the waits longer than the long-wait
     * threshold.
     */
    synchronized List<LongWait> addWaits(LockWait[] batch, int n) {
        Arrays.sort(batch, 0, n, Comparator.comparingLong(w -> w.endNanos));
        long nowMs = System.currentTimeMillis();
        List<LongWait> longWaits = new ArrayList<>();
        Map<LockStats, List<long[]>> intervals = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            LockWait w = batch[i];
            batch[i] = null;
            String cls = w.sync.getClass().getName();
            Kind kind = classify(cls, w.mode);
            long waitNs = Math.max(0, w.endNanos - w.startNanos);
            String[] frames = w.stack == null ? null : Stacks.frames(w.stack);
            if (kind.signal) {
                LockStats s = signals.computeIfAbsent(kind.kind + " " + cls, k -> new LockStats(k, cls, kind.kind,
                        "none", "instrumentation", true, 0, null, nowMs));
                s.addWait(waitNs, nowMs);
                continue;
            }
            int hash = System.identityHashCode(w.sync);
            boolean readSide = w.mode == LockWait.MODE_SHARED || w.mode == LockWait.MODE_STAMPED_READ;
            String key = cls + "@" + Integer.toHexString(hash) + (readSide ? ":read" : "");
            LockStats s = lookup(key, w.sync);
            if (s == null) {
                if (!roomForOneMore(nowMs)) {
                    droppedLocks++;
                    droppedLockWaits++;
                    continue;
                }
                s = new LockStats(key, cls, kind.kind, kind.ownerModel, "instrumentation", false, hash, w.sync, nowMs);
                byKey.computeIfAbsent(key, k -> new ArrayList<>(1)).add(s);
                tracked++;
            }
            s.addWait(waitNs, epochMs(w.endNanos));
            if (frames != null) {
                if (s.callSite == null) {
                    s.callSite = Stacks.callSite(frames);
                    s.name = s.kind + " at " + s.callSite;
                }
                s.waiterStacks.add(frames, waitNs);
            }
            if (s.name == null) {
                s.name = s.kind + "@" + Integer.toHexString(hash);
            }
            if (kind.exclusive) {
                handoff(s, w.startNanos, w.endNanos);
            }
            s.addContended(w.startNanos, w.endNanos);
            intervals.computeIfAbsent(s, k -> new ArrayList<>()).add(new long[] {w.startNanos, w.endNanos});
            if (waitNs >= longWaitNs) {
                longWaits.add(new LongWait(s, w.thread.getName(), w.thread.getId(), waitNs, epochMs(w.endNanos), frames));
            }
        }
        for (Map.Entry<LockStats, List<long[]>> e : intervals.entrySet()) {
            e.getKey().maxWaiters = Math.max(e.getKey().maxWaiters, maxOverlap(e.getValue()));
        }
        return longWaits;
    }

    /**
     * The hand-off estimator: when a waiter acquires a contended exclusive lock while the next waiter is already
     * queued, the lock stays busy until that next waiter gets it, so the gap between consecutive contended
     * acquisitions is one busy period of the lock (one hold, or several if the releasing thread barged back in
     * through the uninstrumented fast path).
     */
    private void handoff(LockStats s, long start, long end) {
        long last = s.lastAcquireEndNanos;
        if (last != 0 && start < last && end > last) {
            long held = end - last;
            s.handoffs++;
            s.handoffNs += held;
            s.handoffMaxNs = Math.max(s.handoffMaxNs, held);
        }
        if (end > last) {
            s.lastAcquireEndNanos = end;
        }
    }

    private static int maxOverlap(List<long[]> intervals) {
        int n = intervals.size();
        long[] starts = new long[n];
        long[] ends = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = intervals.get(i)[0];
            ends[i] = intervals.get(i)[1];
        }
        Arrays.sort(starts);
        Arrays.sort(ends);
        int cur = 0;
        int max = 0;
        int j = 0;
        for (long s : starts) {
            while (j < n && ends[j] <= s) {
                j++;
                cur--;
            }
            cur++;
            max = Math.max(max, cur);
        }
        return max;
    }

    /** A contended {@code synchronized} enter or a park reported by JFR (times in epoch nanoseconds). */
    synchronized LongWait addJfrWait(String source, String cls, long address, boolean monitor, long startEpochNs,
                                     long endEpochNs, String thread, long threadId, String[] frames) {
        long nowMs = System.currentTimeMillis();
        long waitNs = Math.max(0, endEpochNs - startEpochNs);
        Kind kind = monitor ? new Kind("synchronized", "monitor", false, true) : classify(cls, LockWait.MODE_EXCLUSIVE);
        if (monitor) {
            monitorEvents++;
        } else {
            parkEvents++;
        }
        if (kind.signal) {
            signals.computeIfAbsent(kind.kind + " " + cls, k -> new LockStats(k, cls, kind.kind, "none", source, true,
                    0, null, nowMs)).addWait(waitNs, nowMs);
            return null;
        }
        // JFR gives the object's address, which a moving GC changes: key by class and call site when there is a
        // stack, so one lock stays one row (two locks of one class taken at one call site share it).
        String site = frames == null || frames.length == 0 ? null : Stacks.callSite(frames);
        String key = site != null ? cls + "@" + site : cls + "@0x" + Long.toHexString(address);
        LockStats s = lookup(key, null);
        if (s == null) {
            if (!roomForOneMore(nowMs)) {
                droppedLocks++;
                droppedLockWaits++;
                return null;
            }
            s = new LockStats(key, cls, kind.kind, kind.ownerModel, source, false, 0, null, nowMs);
            byKey.computeIfAbsent(key, k -> new ArrayList<>(1)).add(s);
            tracked++;
        }
        s.addWait(waitNs, endEpochNs / 1_000_000);
        if (frames != null && frames.length > 0) {
            if (s.callSite == null) {
                s.callSite = Stacks.callSite(frames);
                s.name = (monitor ? "synchronized(" + simple(cls) + ")" : kind.kind) + " at " + s.callSite;
            }
            s.waiterStacks.add(frames, waitNs);
        }
        if (s.name == null) {
            s.name = (monitor ? "synchronized(" + simple(cls) + ")" : kind.kind) + " " + key;
        }
        if (kind.exclusive) {
            handoff(s, startEpochNs, endEpochNs);
        }
        s.addContended(startEpochNs, endEpochNs);
        return waitNs >= longWaitNs ? new LongWait(s, thread, threadId, waitNs, endEpochNs / 1_000_000, frames) : null;
    }

    /** {@code Object.wait} reported by JFR: a wait for a signal, kept apart from lock contention. */
    synchronized void addMonitorWait(String cls, long waitNs) {
        monitorWaitEvents++;
        long nowMs = System.currentTimeMillis();
        signals.computeIfAbsent("Object.wait " + cls, k -> new LockStats(k, cls, "Object.wait", "none", "jfr", true,
                0, null, nowMs)).addWait(waitNs, nowMs);
    }

    static String simple(String cls) {
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    private LockStats lookup(String key, Object lock) {
        List<LockStats> l = byKey.get(key);
        if (l == null) {
            return null;
        }
        for (LockStats s : l) {
            if (lock == null || s.ref != null && s.ref.get() == lock) {
                return s;
            }
        }
        return null;
    }

    /**
     * Whether one more lock fits. A full table first drops locks that were garbage-collected, whatever their age
     * (at most once a second: a scan of the whole table): an app that makes short-lived locks all the time
     * (Jetty's reserved threads each wait on a semaphore of their own) would otherwise fill it within minutes with
     * dead ones, and every lock seen after that, however contended, would be dropped.
     */
    private boolean roomForOneMore(long nowMs) {
        if (tracked < maxLocks) {
            return true;
        }
        if (nowMs >= nextEviction) {
            nextEviction = nowMs + 1000;
            removeIf(s -> s.ref != null && s.ref.get() == null, true);
        }
        return tracked < maxLocks;
    }

    /** Removes the locks {@code dead} selects; {@code evicted}: counted as evicted (early) rather than pruned. */
    private void removeIf(java.util.function.Predicate<LockStats> dead, boolean evicted) {
        for (Iterator<List<LockStats>> it = byKey.values().iterator(); it.hasNext(); ) {
            List<LockStats> l = it.next();
            int before = l.size();
            l.removeIf(dead);
            tracked -= before - l.size();
            if (evicted) {
                evictedLocks += before - l.size();
            }
            if (l.isEmpty()) {
                it.remove();
            }
        }
    }

    /**
     * Applies one live look at the threads: who waits on which lock right now and who owns it. AQS locks are
     * matched by identity hash (the park blocker is the synchronizer itself); JFR monitor entries by class and
     * call site, since JFR gives an address rather than an identity.
     */
    synchronized void applyLive(List<LiveLocks.Blocked> blocked, Map<Long, String[]> ownerStacks) {
        liveSamples++;
        blockedNow = blocked;
        Map<String, List<LiveLocks.Blocked>> byLock = new HashMap<>();
        for (LiveLocks.Blocked b : blocked) {
            byLock.computeIfAbsent(b.lockClass() + "@" + Integer.toHexString(b.identityHash()), k -> new ArrayList<>()).add(b);
        }
        for (List<LockStats> l : byKey.values()) {
            for (LockStats s : l) {
                List<LiveLocks.Blocked> waiting = null;
                if (s.identityHash != 0) {
                    waiting = byLock.get(s.className + "@" + Integer.toHexString(s.identityHash));
                    if (waiting != null && s.id.endsWith(":read")) {
                        waiting = null; // waiters of a read-write lock park on the same object; counted once, on the write row
                    }
                } else if ("monitor".equals(s.ownerModel) && s.callSite != null) {
                    for (List<LiveLocks.Blocked> bs : byLock.values()) {
                        LiveLocks.Blocked b0 = bs.get(0);
                        if (b0.monitor() && b0.lockClass().equals(s.className) && s.callSite.equals(b0.callSite())) {
                            waiting = bs;
                            break;
                        }
                    }
                }
                if (waiting == null) {
                    s.waitersNow = 0;
                    s.ownerThread = null;
                    s.ownerThreadId = -1;
                    s.ownerStack = null;
                    continue;
                }
                s.waitersNow = waiting.size();
                s.maxWaiters = Math.max(s.maxWaiters, waiting.size());
                LiveLocks.Blocked b = waiting.get(0);
                if (!"none".equals(s.ownerModel) && b.ownerId() >= 0) {
                    s.ownerThread = b.ownerName();
                    s.ownerThreadId = b.ownerId();
                    s.ownerStack = ownerStacks.get(b.ownerId());
                    if (s.ownerStack != null) {
                        s.ownerStacks.add(s.ownerStack, 1);
                    }
                } else {
                    s.ownerThread = null;
                    s.ownerThreadId = -1;
                    s.ownerStack = null;
                }
            }
        }
    }

    /** Drops locks that were garbage-collected and have not waited for ten minutes. */
    synchronized void prune() {
        long cutoff = System.currentTimeMillis() - 600_000;
        removeIf(s -> s.lastWaitMs < cutoff && (s.ref == null || s.ref.get() == null), false);
    }

    synchronized int trackedLocks() {
        return tracked;
    }

    /** Writes {@code locks}, {@code signalWaits} and {@code blockedNow} (cumulative counters). */
    synchronized void write(JsonWriter w) {
        List<LockStats> all = new ArrayList<>();
        byKey.values().forEach(all::addAll);
        all.sort(Comparator.comparingLong((LockStats s) -> s.totalWaitNs).reversed());
        w.name("locks").beginArray();
        for (int i = 0; i < Math.min(SAMPLE_LOCKS, all.size()); i++) {
            all.get(i).write(w, i < SAMPLE_LOCKS_WITH_STACKS);
        }
        w.endArray();
        w.field("locksNotSent", Math.max(0, all.size() - SAMPLE_LOCKS));
        w.name("signalWaits").beginArray();
        for (LockStats s : signals.values()) {
            w.beginObject().field("kind", s.kind).field("class", s.className).field("source", s.source)
                    .field("waits", s.waits).field("totalWaitNs", s.totalWaitNs).field("maxWaitNs", s.maxWaitNs)
                    .endObject();
        }
        w.endArray();
        w.name("blockedNow").beginArray();
        long now = System.currentTimeMillis();
        for (int i = 0; i < Math.min(50, blockedNow.size()); i++) {
            LiveLocks.Blocked b = blockedNow.get(i);
            w.beginObject().field("thread", b.thread()).field("threadId", b.threadId()).field("state", b.state())
                    .field("lockClass", b.lockClass()).field("identityHash", b.identityHash())
                    .field("owner", b.ownerName()).field("ownerId", b.ownerId())
                    .field("sinceMs", b.sinceMs()).field("ageMs", now - b.sinceMs())
                    .field("callSite", b.callSite()).endObject();
        }
        w.endArray();
        w.field("blockedNowTotal", blockedNow.size());
    }
}
