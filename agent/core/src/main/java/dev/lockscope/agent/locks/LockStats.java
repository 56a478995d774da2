package dev.lockscope.agent.locks;

import dev.lockscope.protocol.JsonWriter;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.PackedHistogram;

/**
 * Cumulative contention figures of one lock (or one group of signal waits). Guarded by {@link LockTable}'s
 * monitor; never touched by application threads.
 */
final class LockStats {
    /**
     * Histogram range: 1 µs to 10 min at 2 significant digits. Packed: its memory grows with the buckets in use
     * (measured: 1.1 KB with 20 recorded values) instead of 12.8 KB up front for every lock; a Jetty server's
     * short-lived semaphores pass through the table by the hundred per second.
     */
    static final long HIST_MAX_MICROS = 600_000_000L;

    final String id;
    final String className;
    final String kind;
    /** "exclusive" (one owner thread), "monitor" (synchronized), or "none" (read locks, semaphores, latches). */
    final String ownerModel;
    final String source;
    final boolean signal;
    final int identityHash;
    final WeakReference<Object> ref;
    final long firstSeenMs;
    String name;
    String callSite;
    long waits;
    long totalWaitNs;
    long maxWaitNs;
    long lastWaitMs;
    final PackedHistogram hist = new PackedHistogram(1, HIST_MAX_MICROS, 2);
    private String encodedHist;
    private long encodedAtWaits;
    int maxWaiters;
    int waitersNow;
    /** Handoff estimator state: end of the last contended acquisition (System.nanoTime), or 0. */
    long lastAcquireEndNanos;
    long handoffs;
    long handoffNs;
    long handoffMaxNs;
    /** Union of this lock's wait intervals: the time at least one thread waited (see {@link #addContended}). */
    long contendedNs;
    private final java.util.TreeMap<Long, Long> waitUnion = new java.util.TreeMap<>();
    String ownerThread;
    long ownerThreadId = -1;
    String[] ownerStack;
    final Stacks.Counter waiterStacks = new Stacks.Counter(64);
    final Stacks.Counter ownerStacks = new Stacks.Counter(64);

    LockStats(String id, String className, String kind, String ownerModel, String source, boolean signal,
              int identityHash, Object lock, long nowMs) {
        this.id = id;
        this.className = className;
        this.kind = kind;
        this.ownerModel = ownerModel;
        this.source = source;
        this.signal = signal;
        this.identityHash = identityHash;
        this.ref = lock == null ? null : new WeakReference<>(lock);
        this.firstSeenMs = nowMs;
    }

    void addWait(long waitNs, long nowMs) {
        waits++;
        totalWaitNs += waitNs;
        maxWaitNs = Math.max(maxWaitNs, waitNs);
        lastWaitMs = nowMs;
        hist.recordValue(Math.max(1, Math.min(HIST_MAX_MICROS, waitNs / 1000)));
    }

    /**
     * Adds a wait interval to the union of wait intervals of the last minute and returns nothing; the newly
     * covered length goes to {@link #contendedNs}. While a thread waits for a lock someone holds it, so this
     * "contended time" is a lower bound of the time the lock was held (it misses holds nobody waited for).
     */
    void addContended(long start, long end) {
        if (end <= start) {
            return;
        }
        long added = end - start;
        long s = start;
        long e = end;
        Map.Entry<Long, Long> lo = waitUnion.floorEntry(start);
        if (lo != null && lo.getValue() >= start) {
            if (lo.getValue() >= end) {
                return;
            }
            added -= lo.getValue() - start;
            s = lo.getKey();
            waitUnion.remove(lo.getKey());
        }
        Map.Entry<Long, Long> next;
        while ((next = waitUnion.ceilingEntry(s)) != null && next.getKey() <= end) {
            added -= Math.min(next.getValue(), end) - next.getKey();
            e = Math.max(e, next.getValue());
            waitUnion.remove(next.getKey());
        }
        waitUnion.put(s, e);
        contendedNs += Math.max(0, added);
        // Keep one minute (waits are only ever reported late by a drain interval or a JFR flush), at most 4096.
        long cutoff = end - 60_000_000_000L;
        while (!waitUnion.isEmpty() && (waitUnion.firstEntry().getValue() < cutoff || waitUnion.size() > 4096)) {
            waitUnion.pollFirstEntry();
        }
    }

    /**
     * The histogram compressed and in Base64, encoded again only when a wait was added since: the sample sends the
     * top locks every second, and deflating each one's histogram was a third of the sample's cost (measured on the
     * shop service; under its load most top locks change every second, so this spares mostly quieter JVMs).
     */
    private String encodedHistogram() {
        if (encodedAtWaits != waits || encodedHist == null) {
            ByteBuffer buf = ByteBuffer.allocate(hist.getNeededByteBufferCapacity());
            int len = hist.encodeIntoCompressedByteBuffer(buf);
            encodedHist = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), len));
            encodedAtWaits = waits;
        }
        return encodedHist;
    }

    void write(JsonWriter w, boolean withStacks) {
        w.beginObject()
                .field("id", id).field("class", className).field("kind", kind).field("name", name)
                .field("callSite", callSite).field("source", source).field("ownerModel", ownerModel);
        if (identityHash != 0) {
            w.field("identityHash", identityHash);
        }
        w.field("waits", waits).field("totalWaitNs", totalWaitNs).field("maxWaitNs", maxWaitNs)
                .field("firstSeenMs", firstSeenMs).field("lastWaitMs", lastWaitMs)
                .field("maxWaiters", maxWaiters).field("waitersNow", waitersNow)
                .field("handoffs", handoffs).field("handoffNs", handoffNs).field("handoffMaxNs", handoffMaxNs)
                .field("contendedNs", contendedNs);
        w.field("histMicros", encodedHistogram());
        if (ownerThread != null) {
            w.name("owner").beginObject().field("thread", ownerThread).field("threadId", ownerThreadId);
            if (ownerStack != null) {
                w.field("stack", ownerStack);
            }
            w.endObject();
        } else {
            w.name("owner").nullValue();
        }
        if (withStacks) {
            writeStacks(w, "waiterStacks", waiterStacks);
            writeStacks(w, "ownerStacks", ownerStacks);
        }
        w.endObject();
    }

    private static void writeStacks(JsonWriter w, String name, Stacks.Counter c) {
        w.name(name).beginArray();
        for (Map.Entry<List<String>, long[]> e : c.top(5)) {
            w.beginObject().field("count", e.getValue()[0]).field("weightNs", e.getValue()[1])
                    .field("frames", e.getKey()).endObject();
        }
        w.endArray();
    }
}
