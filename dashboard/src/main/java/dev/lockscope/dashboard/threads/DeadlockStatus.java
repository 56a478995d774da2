package dev.lockscope.dashboard.threads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.jvms.JvmSession;
import java.util.List;

/** The deadlock fields of a JVM's summary in {@code GET /api/jvms}, so the JVM list can flag a deadlocked JVM. */
public final class DeadlockStatus {
    private DeadlockStatus() {}

    /**
     * Adds {@code deadlocked} (connected, and the agent reports deadlocked threads now, or reported a deadlock
     * after its latest sample), {@code deadlockedThreads} and {@code deadlockCount} (cycles reported so far).
     */
    public static void addTo(ObjectNode o, JvmSession s) {
        List<JvmSession.Event> events = s.events("deadlock");
        int cycles = 0;
        long lastEventTs = 0;
        for (JvmSession.Event e : events) {
            cycles += e.body().path("cycles").size();
            lastEventTs = Math.max(lastEventTs, e.ts());
        }
        JvmSession.Sample latest = s.latest();
        int now = latest == null ? 0 : latest.body().path("threads").path("deadlockedThreads").asInt(0);
        boolean newer = lastEventTs > 0 && (latest == null || lastEventTs > latest.ts());
        o.put("deadlocked", s.connected() && (now > 0 || newer));
        o.put("deadlockedThreads", now);
        o.put("deadlockCount", cycles);
    }
}
