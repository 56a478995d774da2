package dev.lockscope.dashboard.controls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.OtelWorkload;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * lockscope and the OpenTelemetry Java agent ({@code io.opentelemetry.javaagent:opentelemetry-javaagent}, copied to
 * {@code target/otel} by the build) in one JVM, both with {@code -javaagent}, in both orders: lockscope records the
 * contention of {@link OtelWorkload}'s lock and finds its pool, and OTel traces {@code OtelWorkload.handle} into its
 * logging exporter (no network). The two JVMs run at the same time to keep the test short.
 */
class OtelCoexistenceEndToEndTest {
    static final Path OTEL_AGENT = Jars.ROOT.resolve("dashboard/target/otel/opentelemetry-javaagent.jar");

    @Test
    void lockscopeAndTheOpenTelemetryAgentBothWorkInOneJvmInEitherOrder() throws Exception {
        assertThat(OTEL_AGENT).exists();
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm otelFirst = withOtel(ChildJvm.main(classPath(), OtelWorkload.class.getName()), true,
                     "dashboard=" + dashboard.agentUrl() + ",name=otel-first").start();
             ChildJvm lockscopeFirst = withOtel(ChildJvm.main(classPath(), OtelWorkload.class.getName()), false,
                     "dashboard=" + dashboard.agentUrl() + ",name=lockscope-first").start()) {
            for (ChildJvm app : List.of(otelFirst, lockscopeFirst)) {
                // OTel's start costs ~12 s of CPU (measured with a load average of 48 on 2 cores: 35 s wall)
                app.awaitLine("started", Duration.ofSeconds(180));
            }
            for (ChildJvm app : List.of(otelFirst, lockscopeFirst)) {
                // lockscope: the workload's lock is contended (4 threads, 5 ms each: about 150 waits a second)
                await().atMost(Duration.ofSeconds(60)).until(() -> workloadLockWaits(dashboard, app) >= 20);
                JsonNode j = dashboard.jvmByPid(app.pid());
                assertThat(j.path("sample").path("locks").path("instrumentation").path("enabled").asBoolean()).isTrue();
                assertThat(j.path("sample").path("locks").path("instrumentation").path("transformErrors").asLong()).isZero();
                assertThat(j.path("sample").path("pools").path("instrumented").asBoolean()).isTrue();
                assertThat(j.path("sample").path("agent").path("suppressedErrors").asLong()).isZero();
                // OTel: spans of the traced method reach its logging exporter
                await().atMost(Duration.ofSeconds(30)).until(() -> app.stderr().stream()
                        .anyMatch(l -> l.contains("'OtelWorkload.handle'") && l.contains("INTERNAL")));
                // and the application goes on (its rate is the machine's: 5 ms sleeps stretch under load)
                int mark = app.stdout().size();
                await().atMost(Duration.ofSeconds(10)).until(() -> app.stdout().stream().skip(mark)
                        .anyMatch(l -> l.matches("handled=[1-9][0-9]*")));
                assertThat(app.stderr()).noneMatch(l -> l.contains("lockscope: ") && l.contains("failed"));
                assertThat(app.isAlive()).isTrue();
            }
        }
    }

    private static ChildJvm.Builder withOtel(ChildJvm.Builder b, boolean otelFirst, String lockscopeOptions) {
        List<String> otel = List.of("-Dotel.traces.exporter=logging", "-Dotel.metrics.exporter=none",
                "-Dotel.logs.exporter=none", "-Dotel.bsp.schedule.delay=500", "-Dotel.service.name=lockscope-coexistence",
                "-Dotel.instrumentation.methods.include=" + OtelWorkload.class.getName() + "[handle]");
        otel.forEach(b::jvmArg);
        String lockscope = "-javaagent:" + Jars.AGENT + "=" + lockscopeOptions;
        String openTelemetry = "-javaagent:" + OTEL_AGENT;
        if (otelFirst) {
            b.jvmArg(openTelemetry).jvmArg(lockscope);
        } else {
            b.jvmArg(lockscope).jvmArg(openTelemetry);
        }
        return b.jvmArg("-Xmx384m");
    }

    /** Waits recorded in the last minute on locks whose waiters were in {@code OtelWorkload}. */
    private static long workloadLockWaits(RunningDashboard dashboard, ChildJvm app) throws Exception {
        JsonNode j = dashboard.jvmByPid(app.pid());
        if (j == null) {
            return 0;
        }
        JsonNode locks = dashboard.get("/api/jvms/" + URLEncoder.encode(j.path("id").asText(), StandardCharsets.UTF_8)
                + "/locks?window=60s");
        long waits = 0;
        for (JsonNode l : locks.path("locks")) {
            if (l.toString().contains("OtelWorkload") && l.path("class").asText().contains("ReentrantLock")) {
                waits += l.path("waits").asLong();
            }
        }
        return waits;
    }

    /** Only the test programs: a long class path would make OTel's start (it matches every class) slower still. */
    private static String classPath() {
        return Jars.ROOT.resolve("dashboard/target/test-classes").toString();
    }
}
