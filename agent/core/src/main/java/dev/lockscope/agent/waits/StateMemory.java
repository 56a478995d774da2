package dev.lockscope.agent.waits;

import dev.lockscope.agent.waits.ThreadClassifier.Classified;
import dev.lockscope.agent.waits.ThreadClassifier.State;
import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Classifies a thread by what it is doing at the moment of a look: its state ({@link Thread#getState()}) and,
 * when it waits, its park blocker ({@link java.util.concurrent.locks.LockSupport#getBlocker}), both read
 * without a safepoint, with the help of the thread's stack when the look has one. Stacks cost a safepoint, so
 * most looks have none: the last classification this thread had in the same state with the same kind of blocker
 * is reused (a worker parks at the same queue; a thread that sleeps has no blocker). Keying on the blocker keeps
 * a thread that alternates between waiting on a future and sleeping from having its sleeps counted as parks.
 * Only the sampler thread uses it.
 */
final class StateMemory {
    private final Map<Long, Map<String, Classified>> last = new HashMap<>();

    /** Whether a stack read has taught this thread's classification in this state with this kind of blocker. */
    boolean knows(long id, Thread.State seen, String blocker) {
        if (seen != Thread.State.RUNNABLE && seen != Thread.State.BLOCKED && seen != Thread.State.WAITING
                && seen != Thread.State.TIMED_WAITING) {
            return true; // NEW, TERMINATED: nothing to learn
        }
        Map<String, Classified> mine = last.get(id);
        return mine != null && mine.containsKey(key(seen, blocker));
    }

    private static String key(Thread.State seen, String blocker) {
        return seen.name() + '|' + (blocker == null ? "" : blocker);
    }

    /**
     * @param blocker class of the thread's park blocker at the look, or null (sleeping, {@code Object.wait},
     *                running, or a park without a blocker)
     * @param info    the thread's stack from this look's dump, or null when this look took none
     */
    Classified classify(long id, Thread.State seen, String blocker, ThreadInfo info) {
        Map<String, Classified> mine = last.computeIfAbsent(id, k -> new HashMap<>());
        String key = key(seen, blocker);
        if (info != null && info.getThreadState() == seen && sameBlocker(info, blocker)) {
            Classified now = ThreadClassifier.classify(info);
            if (now != null) {
                mine.put(key, now);
            }
            return now;
        }
        Classified before = mine.get(key);
        if (before != null) {
            return before;
        }
        return switch (seen) {
            case RUNNABLE -> new Classified(State.CPU, null, null, null, null);
            case BLOCKED -> new Classified(State.MONITOR, null, null, null, null);
            // No blocker and a timeout: Thread.sleep far more often than a timed Object.wait.
            case TIMED_WAITING -> blocker == null ? new Classified(State.SLEEP, null, "java.lang.Thread.sleep", null, null)
                    : parked(blocker);
            case WAITING -> parked(blocker);
            default -> null;
        };
    }

    private static Classified parked(String blocker) {
        return new Classified(blocker != null && ThreadClassifier.isLock(blocker) ? State.LOCK : State.PARKED,
                null, blocker, blocker, null);
    }

    /**
     * Whether the dump shows the wait the look saw: a parked thread's lock info is its blocker; a thread without
     * a blocker may still be in {@code Object.wait} (lock info: the monitor), which is the same look.
     */
    private static boolean sameBlocker(ThreadInfo info, String blocker) {
        if (blocker == null) {
            return true;
        }
        LockInfo li = info.getLockInfo();
        return li != null && blocker.equals(li.getClassName());
    }

    /** Forgets threads that ended. */
    void retain(long[] alive) {
        Set<Long> keep = new HashSet<>();
        for (long id : alive) {
            keep.add(id);
        }
        last.keySet().retainAll(keep);
    }
}
