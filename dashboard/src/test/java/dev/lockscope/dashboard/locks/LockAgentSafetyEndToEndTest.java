package dev.lockscope.dashboard.locks;

import static dev.lockscope.dashboard.locks.LockTestSupport.assertInstrumentationActive;
import static dev.lockscope.dashboard.locks.LockTestSupport.awaitInstrumented;
import static dev.lockscope.dashboard.locks.LockTestSupport.awaitLocks;
import static dev.lockscope.dashboard.locks.LockTestSupport.go;
import static dev.lockscope.dashboard.locks.LockTestSupport.num;
import static dev.lockscope.dashboard.locks.LockTestSupport.program;
import static dev.lockscope.dashboard.locks.LockTestSupport.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The instrumentation must never hurt the application: virtual-thread carriers, and a bridge that throws. */
class LockAgentSafetyEndToEndTest {

    @Test
    void tenThousandVirtualThreadsContendingAReentrantLockFinishOnJdk25WithTheAgent() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = program(d, "vthreads", "vthreads", "10000", "5").javaHome(Jars.JDK25).start()) {
            String id = awaitInstrumented(d, app);
            go(app);
            Map<String, String> r = result(app, Duration.ofSeconds(240));
            System.out.println("program: " + r);
            assertThat(num(r, "guarded")).isEqualTo(50_000);
            assertThat(num(r, "errors")).isZero();
            JsonNode ranking = awaitLocks(d, id, j -> j.path("locks").size() > 0
                    && j.at("/locks/0/callSite").asText().startsWith("ContentionProgram.lambda$virtualThreads"));
            JsonNode top = ranking.path("locks").get(0);
            System.out.println("dashboard: " + top.path("name") + " waits " + top.path("waits") + " total " + top.path("totalWaitMs"));
            assertThat(top.path("kind").asText()).isEqualTo("ReentrantLock");
            assertThat(top.path("waits").asLong()).isGreaterThan(1000);
            assertInstrumentationActive(d.jvmByPid(app.pid()).path("sample"));
            assertThat(app.stderr()).noneMatch(l -> l.contains("Exception") || l.contains("WARNING"));
        }
    }

    @Test
    void bridgeThatThrowsLeavesTheApplicationsLocksWorkingAndIsCounted() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = program(d, "faulty", "reentrant", "8", "40")
                     .jvmArg("-Dlockscope.test.lockBridgeThrows=true").start()) {
            String id = awaitInstrumented(d, app);
            go(app);
            Map<String, String> r = result(app, Duration.ofSeconds(180));
            System.out.println("program: " + r);
            // Mutual exclusion held (the counter is exact) and no application thread saw an exception.
            assertThat(num(r, "guarded")).isEqualTo(8 * 40);
            assertThat(num(r, "errors")).isZero();
            assertThat(num(r, "waits")).isPositive();
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    d.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong() >= num(r, "waits"));
            JsonNode sample = d.jvmByPid(app.pid()).path("sample");
            assertThat(sample.at("/agent/lastSuppressedError").asText()).isEqualTo("java.lang.IllegalStateException");
            assertThat(sample.at("/locks/instrumentation/instrumentedClasses").asLong()).isPositive();
            assertThat(sample.at("/locks/instrumentation/transformErrors").asLong()).isZero();
            // Nothing was recorded: every slow-path call failed inside the bridge.
            assertThat(d.get("/api/jvms/" + id + "/locks?window=10m").path("locks").toString()).doesNotContain("ContentionProgram");
            assertThat(app.stderr()).noneMatch(l -> l.contains("IllegalStateException"));
        }
    }
}
