package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Pools whose figures the child program measured itself, with the real agent and dashboard: wait and run
 * times within 10 %, rejections by each built-in policy counted exactly, task identity preserved, and
 * scheduled lateness against the intended start.
 */
class PoolGroundTruthEndToEndTest {

    @Test
    void waitRunRejectionsIdentityAndLatenessMatchWhatTheProgramMeasured() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(PoolsApi.childClasspath(), PoolGroundTruthApp.class.getName())
                     .agent("dashboard=" + d.agentUrl() + ",name=ground-truth").start()) {
            app.awaitLine("^ready$", Duration.ofSeconds(20));
            PoolsApi api = new PoolsApi(d, app.pid());
            api.awaitInstrumented(Duration.ofSeconds(60));
            try (OutputStream in = app.process().getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            app.awaitLine("^done$", Duration.ofSeconds(60));

            // given: what the program measured
            Matcher timing = app.awaitLine("timing meanWaitMs=([\\d.]+) p50WaitMs=([\\d.]+) maxWaitMs=([\\d.]+) "
                    + "meanRunMs=([\\d.]+) p50RunMs=([\\d.]+)", Duration.ofSeconds(1));
            JsonNode t = api.awaitPool("gt-timing", "10m", Duration.ofSeconds(10), p -> p.path("samplesRun").asLong() == 10);
            assertThat(t.path("samplesWait").asLong()).isEqualTo(10);
            assertThat(t.path("completed").asLong()).isEqualTo(10);
            assertThat(t.path("meanWaitMs").asDouble()).isCloseTo(Double.parseDouble(timing.group(1)), within(Double.parseDouble(timing.group(1)) * 0.10));
            assertThat(t.path("p50WaitMs").asDouble()).isCloseTo(Double.parseDouble(timing.group(2)), within(Double.parseDouble(timing.group(2)) * 0.10));
            assertThat(t.path("maxWaitMs").asDouble()).isCloseTo(Double.parseDouble(timing.group(3)), within(Double.parseDouble(timing.group(3)) * 0.10));
            assertThat(t.path("meanRunMs").asDouble()).isCloseTo(Double.parseDouble(timing.group(4)), within(Double.parseDouble(timing.group(4)) * 0.10));
            assertThat(t.path("p50RunMs").asDouble()).isCloseTo(Double.parseDouble(timing.group(5)), within(Double.parseDouble(timing.group(5)) * 0.10));
            assertThat(t.path("callSite").asText()).contains("PoolGroundTruthApp.timing(PoolGroundTruthApp.java:");

            // rejections: exactly REJECTIONS each, under the policy's own counter
            String[][] policies = {{"abort", "abort", "Abort"}, {"callerruns", "callerRuns", "CallerRuns"},
                {"discard", "discard", "Discard"}, {"discardoldest", "discardOldest", "DiscardOldest"}};
            for (String[] p : policies) {
                JsonNode r = api.pool("gt-" + p[0], "10m");
                assertThat(r).as(p[0]).isNotNull();
                assertThat(r.path("policy").asText()).isEqualTo(p[2]);
                assertThat(r.path("rejected").asLong()).as(p[0]).isEqualTo(PoolGroundTruthApp.REJECTIONS);
                assertThat(r.path("rejectedBy").path(p[1]).asLong()).as(p[0]).isEqualTo(PoolGroundTruthApp.REJECTIONS);
            }
            app.awaitLine("rejections abort thrown=5 callerRan=0", Duration.ofSeconds(1));
            app.awaitLine("rejections callerruns thrown=0 callerRan=5", Duration.ofSeconds(1));

            // identity: the user's own objects come back
            app.awaitLine("identity removed=true .* ok=true", Duration.ofSeconds(1));
            assertThat(api.pool("gt-identity", "10m").path("rejectedBy").path("other").asLong()).isEqualTo(1);

            // scheduled: lateness against the intended start
            Matcher late = app.awaitLine("lateness meanLatenessMs=([\\d.]+) maxLatenessMs=([\\d.]+)", Duration.ofSeconds(1));
            JsonNode s = api.awaitPool("gt-scheduled", "10m", Duration.ofSeconds(10), p -> p.path("samplesLateness").asLong() >= 5);
            assertThat(s.path("scheduled").asBoolean()).isTrue();
            assertThat(s.path("kind").asText()).isEqualTo("ThreadPoolExecutor");
            assertThat(s.path("className").asText()).isEqualTo("java.util.concurrent.ScheduledThreadPoolExecutor");
            // The mean mixes in tasks that were due at once (lateness ~0) in numbers that vary with timing on a
            // loaded machine, so the ground truth compared is the worst lateness, which the program measures too.
            assertThat(s.path("maxLatenessMs").asDouble()).isCloseTo(Double.parseDouble(late.group(2)), within(Double.parseDouble(late.group(2)) * 0.10));

            assertThat(api.suppressedErrors()).isZero();
        }
    }
}
