package dev.lockscope.dashboard.controls;

import static dev.lockscope.dashboard.controls.ControlsSupport.agentCli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.lockscope.dashboard.controls.ControlsSupport.Run;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.ClassLoadingBurst;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent's start-up wait ({@code startupWait}): started with {@code -javaagent}, it installs nothing until the
 * application's class loading has settled, or until {@code startupWait} has passed; attached to a running JVM it
 * starts at once. Three JVMs running {@link ClassLoadingBurst} (a start-up as the JVM sees it), started together,
 * one dashboard.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentStartupWaitEndToEndTest {
    private static final Duration START = Duration.ofSeconds(60);

    private RunningDashboard dashboard;
    private ChildJvm settles;
    private ChildJvm capped;
    private ChildJvm attached;

    @BeforeAll
    void start() throws Exception {
        dashboard = RunningDashboard.start();
        String cp = System.getProperty("java.class.path");
        settles = ChildJvm.main(cp, ClassLoadingBurst.class.getName(), "2000")
                .agent("dashboard=" + dashboard.agentUrl() + ",name=startup-settles").start();
        capped = ChildJvm.main(cp, ClassLoadingBurst.class.getName(), "5000")
                .agent("dashboard=" + dashboard.agentUrl() + ",name=startup-capped,startupWait=500ms").start();
        attached = ChildJvm.main(cp, ClassLoadingBurst.class.getName(), "0").start();
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {settles, capped, attached, dashboard}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }

    @Test
    void instrumentationIsInstalledOnlyAfterTheApplicationsClassLoadingHasSettled() throws Exception {
        long burstEnd = burstEnd(settles);
        JsonNode s = awaitInstrumented(settles);
        JsonNode startup = s.path("agent").path("startup");
        assertThat(startup.path("maxMs").asLong()).isEqualTo(10_000);
        // The wait ends five quiet polls of 100 ms after the last burst of classes, never before it.
        assertThat(startup.path("beganAtMs").asLong()).isGreaterThanOrEqualTo(burstEnd);
        assertThat(startup.path("waitedMs").asLong()).isBetween(500L, 10_000L);
        assertThat(startup.path("featuresStartedAtMs").asLong()).isGreaterThanOrEqualTo(startup.path("beganAtMs").asLong());
        assertThat(s.at("/locks/instrumentation/transformErrors").asLong()).isZero();
    }

    @Test
    void theWaitEndsAtStartupWaitWhileClassLoadingGoesOn() throws Exception {
        long burstEnd = burstEnd(capped);
        JsonNode startup = awaitInstrumented(capped).path("agent").path("startup");
        assertThat(startup.path("maxMs").asLong()).isEqualTo(500);
        // Generous upper bound: a sleep on a machine loaded by other builds overshoots.
        assertThat(startup.path("waitedMs").asLong()).isBetween(500L, 3_000L);
        assertThat(startup.path("beganAtMs").asLong()).isLessThan(burstEnd);
    }

    @Test
    void anAgentAttachedToARunningJvmStartsAtOnce() throws Exception {
        burstEnd(attached);
        Run attach = agentCli("attach", Long.toString(attached.pid()),
                "dashboard=" + dashboard.agentUrl() + ",name=startup-attached");
        assertThat(attach.exit()).as(attach.err()).isZero();
        JsonNode startup = awaitInstrumented(attached).path("agent").path("startup");
        assertThat(startup.path("maxMs").asLong()).isZero();
        assertThat(startup.path("waitedMs").asLong()).isZero();
    }

    private static long burstEnd(ChildJvm app) throws InterruptedException {
        Matcher m = app.awaitLine("^BURST_END (\\d+) .*", START);
        return Long.parseLong(m.group(1));
    }

    /** The newest sample once both instrumentations are in place and every feature has started. */
    private JsonNode awaitInstrumented(ChildJvm app) {
        JsonNode[] last = {MissingNode.getInstance()};
        await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode j = dashboard.jvmByPid(app.pid());
            last[0] = j == null ? MissingNode.getInstance() : j.path("sample");
            return last[0].at("/agent/startup/featuresStartedAtMs").asLong(-1) >= 0
                    && last[0].at("/locks/instrumentation/instrumentedClasses").asLong() > 0
                    && last[0].path("pools").path("instrumented").asBoolean();
        });
        return last[0];
    }
}
