package dev.lockscope.dashboard.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;

/** Starting {@link ContentionProgram} under the agent, releasing it once instrumentation is live, reading results. */
final class LockTestSupport {
    private LockTestSupport() {}

    static ChildJvm.Builder program(RunningDashboard d, String name, String... args) {
        String[] all = new String[args.length];
        System.arraycopy(args, 0, all, 0, args.length);
        return ChildJvm.main(programClassPath(), ContentionProgram.class.getName(), all)
                .agent("dashboard=" + d.agentUrl() + ",name=" + name);
    }

    /**
     * The test JVM's class path without the agent's own modules and dependencies: with them on the application
     * class path, the system loader would find the agent's classes there (unshaded, outside the jar) before the
     * -javaagent jar, and the bridge could not be read from the jar.
     */
    static String programClassPath() {
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String n = e.replace('\\', '/');
            if (n.contains("/agent/") || n.contains("lockscope-agent") || n.contains("lockscope-bridge")
                    || n.contains("lockscope-protocol") || n.contains("byte-buddy") || n.contains("HdrHistogram")
                    || n.contains("async-profiler")) {
                continue;
            }
            if (cp.length() > 0) {
                cp.append(java.io.File.pathSeparator);
            }
            cp.append(e);
        }
        return cp.toString();
    }

    /** Waits until the JVM reports active lock instrumentation and a running JFR stream; returns its id. */
    static String awaitInstrumented(RunningDashboard d, ChildJvm app) throws Exception {
        app.awaitLine("READY", Duration.ofSeconds(60));
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode j = d.jvmByPid(app.pid());
            if (j == null) {
                return false;
            }
            id[0] = j.path("id").asText();
            JsonNode l = j.at("/sample/locks");
            return l.at("/instrumentation/enabled").asBoolean() && l.at("/jfr/running").asBoolean();
        });
        return id[0];
    }

    static void go(ChildJvm app) throws IOException {
        OutputStream in = app.process().getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The {@code RESULT k=v ...} line the program printed, as a map. */
    static Map<String, String> result(ChildJvm app, Duration timeout) throws InterruptedException {
        Matcher m = app.awaitLine("^RESULT (.*)$", timeout);
        Map<String, String> out = new HashMap<>();
        for (String kv : m.group(1).split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    static long num(Map<String, String> r, String key) {
        return Long.parseLong(r.get(key));
    }

    /** The instrumentation health every test with the agent asserts. */
    static void assertInstrumentationActive(JsonNode sample) {
        assertThat(sample.at("/locks/instrumentation/instrumentedClasses").asLong()).isPositive();
        assertThat(sample.at("/locks/instrumentation/transformErrors").asLong()).isZero();
        assertThat(sample.at("/locks/instrumentation/recordedWaits").asLong()).isPositive();
        assertThat(sample.at("/agent/suppressedErrors").asLong()).isZero();
    }

    /** Polls {@code GET /api/jvms/{id}/locks?window=10m} until {@code done} holds for its answer. */
    static JsonNode awaitLocks(RunningDashboard d, String id, java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = d.get("/api/jvms/" + id + "/locks?window=10m");
            return done.test(last[0]);
        });
        return last[0];
    }
}
