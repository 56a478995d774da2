package dev.lockscope.dashboard.findings;

import static dev.lockscope.dashboard.findings.FindingsSupport.between;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pinning sample on JDK 25: virtual threads blocking in a class initializer, and the fix. */
class PinningFindingEndToEndTest {

    @Test
    void virtualThreadsBlockingInAClassInitializerAreReportedWithTheFrameThatPinsThem() throws Exception {
        int threads = between(50, 300);
        int blockMs = between(25, 60);
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("pinning", "--threads=" + threads, "--block=" + blockMs)
                     .javaHome(Jars.JDK25).agent("dashboard=" + d.agentUrl() + ",name=pinning").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            JsonNode f = FindingsSupport.awaitOpen(d, id, "virtual-thread-pinning", Duration.ofSeconds(30));
            assertThat(f.path("severity").asText()).isEqualTo("warning");
            assertThat(f.at("/evidence/frame").asText()).startsWith("dev.lockscope.samples.BlockingPlugin.<clinit>");
            assertThat(f.path("explanation").asText()).contains("class initializer of dev.lockscope.samples.BlockingPlugin");
            assertThat(f.path("fix").asText()).contains("static initializer of dev.lockscope.samples.BlockingPlugin");
            assertThat(f.at("/evidence/pins").asLong()).isGreaterThanOrEqualTo(PinningDetector.MIN_PINS);
            assertThat(f.at("/evidence/maxPinMs").asLong()).isGreaterThanOrEqualTo(blockMs - 5);
        }
    }

    @Test
    void theFixedVariantRaisesNoPinningFindingOverThreeWindows() throws Exception {
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("pinning", "--fixed", "--threads=" + between(50, 300),
                             "--block=" + between(25, 60))
                     .javaHome(Jars.JDK25).agent("dashboard=" + d.agentUrl() + ",name=pinning-fixed").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            app.awaitLine("plugins loaded=[1-9]", Duration.ofSeconds(15));
            Thread.sleep(3 * FindingsSupport.WINDOW.toMillis() + 2000);
            assertThat(d.jvmByPid(app.pid()).at("/sample/pinning/supported").asBoolean()).isTrue();
            assertThat(FindingsSupport.findings(d, id)).isEmpty();
        }
    }
}
