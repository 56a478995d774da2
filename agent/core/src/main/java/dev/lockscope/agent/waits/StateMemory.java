package dev.lockscope.agent.waits;

import dev.lockscope.agent.waits.ThreadClassifier.Classified;
import dev.lockscope.agent.waits.ThreadClassifier.State;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Classifies a thread by the state it is in at the moment of a look ({@link Thread#getState()}, read without a
 * safepoint), with the help of the thread's stack when the look has one. Stacks cost a safepoint, so most looks
 * have none: the last classification this thread had in the same state is reused (a thread that sleeps in a
 * loop sleeps at the same place; a worker parks at the same queue). Only the sampler thread uses it.
 */
final class StateMemory {
    private final Map<Long, Classified[]> last = new HashMap<>();

    /** @param info the thread's stack from this look's dump, or null when this look took none */
    Classified classify(long id, Thread.State seen, ThreadInfo info) {
        Classified[] mine = last.computeIfAbsent(id, k -> new Classified[Thread.State.values().length]);
        if (info != null && info.getThreadState() == seen) {
            Classified now = ThreadClassifier.classify(info);
            if (now != null) {
                mine[seen.ordinal()] = now;
            }
            return now;
        }
        Classified before = mine[seen.ordinal()];
        if (before != null) {
            return before;
        }
        return switch (seen) {
            case RUNNABLE -> new Classified(State.CPU, null, null, null, null);
            case BLOCKED -> new Classified(State.MONITOR, null, null, null, null);
            case WAITING, TIMED_WAITING -> new Classified(State.PARKED, null, null, null, null);
            default -> null;
        };
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
