package dev.lockscope.dashboard.jvms;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * All JVMs the dashboard has seen, keyed by the agent's stable JVM id, so a reconnecting agent continues its
 * own history. The single owner of {@link JvmSession}s.
 */
public final class JvmRegistry {
    /** Disconnected JVMs beyond this many are forgotten, oldest disconnect first. */
    static final int MAX_DISCONNECTED = 200;

    private final Map<String, JvmSession> sessions = new ConcurrentHashMap<>();
    private final int historySamples;
    private final List<Consumer<JvmSession>> sampleListeners = new CopyOnWriteArrayList<>();
    private final List<EventListener> eventListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<JvmSession>> connectListeners = new CopyOnWriteArrayList<>();

    /** Called for each event an agent sends, after it was stored. */
    public interface EventListener {
        void onEvent(JvmSession jvm, JvmSession.Event event);
    }

    public JvmRegistry(int historySamples) {
        this.historySamples = historySamples;
    }

    public JvmSession get(String id) {
        return sessions.get(id);
    }

    /** All JVMs, connected first, then by name. */
    public List<JvmSession> all() {
        List<JvmSession> list = new ArrayList<>(sessions.values());
        list.sort(Comparator.comparing((JvmSession s) -> !s.connected())
                .thenComparing(s -> s.identity() == null ? "" : s.identity().path("name").asText()));
        return list;
    }

    public void onSample(Consumer<JvmSession> listener) {
        sampleListeners.add(listener);
    }

    public void onEvent(EventListener listener) {
        eventListeners.add(listener);
    }

    /** Called after an agent's hello was accepted (its session is connected). */
    public void onConnect(Consumer<JvmSession> listener) {
        connectListeners.add(listener);
    }

    /**
     * Adds a JVM known from an earlier run of the dashboard, disconnected, so its captures and findings history
     * stay reachable; a reconnecting agent with the same id continues it. Ignored when the id is already known.
     */
    public void restore(String jvmId, JsonNode identity, long lastSeenAt) {
        sessions.computeIfAbsent(jvmId, id -> {
            JvmSession s = new JvmSession(id, historySamples);
            s.restore(identity, lastSeenAt);
            return s;
        });
    }

    /**
     * Adds a JVM loaded from the capture archive {@code archiveName}: read-only and never connected, so it is
     * not announced to connect listeners (nor remembered as a JVM whose agent may come back). Returns the
     * existing session when {@code id} is already an archive here, null when it names another JVM.
     */
    public JvmSession openArchive(String id, JsonNode identity, long lastSeenAt, String archiveName) {
        JvmSession s = sessions.computeIfAbsent(id, k -> {
            JvmSession n = new JvmSession(k, historySamples);
            n.restore(identity, lastSeenAt);
            n.markArchive(archiveName);
            return n;
        });
        return s.archive() != null ? s : null;
    }

    /** Called by the agent endpoint when a hello was accepted. */
    public JvmSession connect(String jvmId, JsonNode identity, List<String> features, Consumer<String> sender) {
        JvmSession s = sessions.computeIfAbsent(jvmId, id -> new JvmSession(id, historySamples));
        s.attach(identity, features, sender);
        pruneDisconnected();
        for (Consumer<JvmSession> l : connectListeners) {
            l.accept(s);
        }
        return s;
    }

    public void sampleArrived(JvmSession s, JvmSession.Sample sample) {
        s.addSample(sample);
        for (Consumer<JvmSession> l : sampleListeners) {
            l.accept(s);
        }
    }

    public void eventArrived(JvmSession s, JvmSession.Event event) {
        s.addEvent(event);
        for (EventListener l : eventListeners) {
            l.onEvent(s, event);
        }
    }

    private void pruneDisconnected() {
        Collection<JvmSession> gone = sessions.values().stream().filter(s -> !s.connected())
                .sorted(Comparator.comparingLong(JvmSession::disconnectedAt)).toList();
        int excess = gone.size() - MAX_DISCONNECTED;
        for (JvmSession s : gone) {
            if (excess-- <= 0) {
                break;
            }
            sessions.remove(s.id());
        }
    }
}
