package dev.lockscope.dashboard.pools;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** Test helper: the pools API of one JVM, by pid. */
final class PoolsApi {
    private final RunningDashboard dashboard;
    private final long pid;

    PoolsApi(RunningDashboard dashboard, long pid) {
        this.dashboard = dashboard;
        this.pid = pid;
    }

    String jvmId() throws Exception {
        JsonNode jvm = dashboard.jvmByPid(pid);
        return jvm == null ? null : jvm.path("id").asText();
    }

    JsonNode view(String window) throws Exception {
        String id = jvmId();
        return id == null ? null : dashboard.get("/api/jvms/" + id + "/pools?window=" + window);
    }

    /** The pool whose name is {@code name}, or null. */
    JsonNode pool(String name, String window) throws Exception {
        JsonNode v = view(window);
        if (v == null) {
            return null;
        }
        for (JsonNode p : v.path("pools")) {
            if (name.equals(p.path("name").asText())) {
                return p;
            }
        }
        return null;
    }

    /** Waits until the agent reports its pool instrumentation active (it arrives about a second after start). */
    void awaitInstrumented(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode v = view("10s");
            return v != null && v.path("instrumented").asBoolean();
        });
    }

    JsonNode awaitPool(String name, String window, Duration timeout, Predicate<JsonNode> until) {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode p = pool(name, window);
            seen.set(p);
            return p != null && until.test(p);
        });
        return seen.get();
    }

    /**
     * The test class path without the agent's own modules: the agent must come from {@code -javaagent} only,
     * or the system loader finds a second copy of its classes first.
     */
    static String childClasspath() {
        StringBuilder b = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String n = e.replace('\\', '/');
            if (n.contains("lockscope-agent") || n.contains("lockscope-bridge") || n.contains("/agent/core/")
                    || n.contains("/agent/bridge/")) {
                continue;
            }
            if (b.length() > 0) {
                b.append(java.io.File.pathSeparator);
            }
            b.append(e);
        }
        return b.toString();
    }

    long suppressedErrors() throws Exception {
        return dashboard.jvmByPid(pid).at("/sample/agent/suppressedErrors").asLong();
    }
}
