package dev.lockscope.agent.locks;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The live picture: which platform threads wait for a lock right now (BLOCKED on a monitor, or parked on a
 * j.u.c. lock), on which object (class and identity hash, as {@link LockInfo} reports it), owned by whom, and
 * since when (first sample in which the thread was seen waiting on that same object). JFR reports a monitor
 * wait only when it ends and without an owner; this fills that gap.
 *
 * <p>Uses {@code ThreadMXBean.getThreadInfo(ids, depth)} (no locked-monitor or synchronizer scan, which can walk
 * the heap at a safepoint). Called on the agent's drain thread only; not thread-safe.
 */
final class LiveLocks {
    record Blocked(String thread, long threadId, String state, boolean monitor, String lockClass, int identityHash,
                   String ownerName, long ownerId, long sinceMs, String callSite) {}

    private static final int DEPTH = 16;
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    /** threadId -> {identity hash waited on, since (epoch ms)}. */
    private Map<Long, long[]> since = new HashMap<>();

    static boolean isLockBlocker(String cls) {
        return cls.startsWith("java.util.concurrent.locks.ReentrantLock$")
                || cls.startsWith("java.util.concurrent.locks.ReentrantReadWriteLock$")
                || cls.startsWith("java.util.concurrent.Semaphore$")
                || cls.equals("java.util.concurrent.locks.StampedLock");
    }

    /** One look at all platform threads; fills {@code ownerStacks} with the stacks of the owners found. */
    List<Blocked> sample(Map<Long, String[]> ownerStacks) {
        long now = System.currentTimeMillis();
        ThreadInfo[] infos = mx.getThreadInfo(mx.getAllThreadIds(), DEPTH);
        List<Blocked> out = new ArrayList<>();
        Map<Long, long[]> nextSince = new HashMap<>();
        Set<Long> owners = new LinkedHashSet<>();
        for (ThreadInfo ti : infos) {
            if (ti == null || ti.getThreadName().startsWith("lockscope-")) {
                continue;
            }
            LockInfo li = ti.getLockInfo();
            if (li == null) {
                continue;
            }
            Thread.State st = ti.getThreadState();
            boolean monitor = st == Thread.State.BLOCKED;
            boolean parkedOnLock = (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING)
                    && isLockBlocker(li.getClassName());
            if (!monitor && !parkedOnLock) {
                continue;
            }
            long[] prev = since.get(ti.getThreadId());
            long sinceMs = prev != null && prev[0] == li.getIdentityHashCode() ? prev[1] : now;
            nextSince.put(ti.getThreadId(), new long[] {li.getIdentityHashCode(), sinceMs});
            String callSite = Stacks.callSite(Stacks.frames(ti.getStackTrace()));
            out.add(new Blocked(ti.getThreadName(), ti.getThreadId(), st.name(), monitor, li.getClassName(),
                    li.getIdentityHashCode(), ti.getLockOwnerName(), ti.getLockOwnerId(), sinceMs, callSite));
            if (ti.getLockOwnerId() >= 0) {
                owners.add(ti.getLockOwnerId());
            }
        }
        since = nextSince;
        if (!owners.isEmpty()) {
            long[] ids = owners.stream().mapToLong(Long::longValue).limit(64).toArray();
            for (ThreadInfo ti : mx.getThreadInfo(ids, Stacks.MAX_DEPTH)) {
                if (ti != null) {
                    ownerStacks.put(ti.getThreadId(), Stacks.frames(ti.getStackTrace()));
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.sinceMs(), b.sinceMs()));
        return out;
    }
}
