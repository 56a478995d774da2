package dev.lockscope.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockscope.it.Fuzzing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.generators.Generate;

/**
 * The agent's {@code dashboard=} option against random and mutated addresses. Its parser is package-private in
 * the agent, so this test sits in the agent's package; it lives in the dashboard module for the shared fuzz
 * generators ({@link Fuzzing}). Whatever a user types, the agent gets a WebSocket URI with a host, or no
 * dashboard and one line on stderr saying why, never an exception (which would stop the whole agent).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DashboardAddressFuzzTest {
    private static final List<String> VALID = List.of("ws://127.0.0.1:7070/agent", "wss://dash.example:8443/agent",
            "http://127.0.0.1:7070", "https://dash.example:8443/", "127.0.0.1:7070", "localhost:7070");

    @Test
    void everyAddressGivesAWebSocketUriWithAHostOrNoDashboardAndTheReason() {
        AtomicInteger taken = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        PrintStream stderr = System.err;
        try {
            Fuzzing.theory("dashboard address", 2000, 2000)
                    .forAll(Fuzzing.mutatedOrRandom(Generate.pick(VALID), 80, 40)).checkAssert(in -> {
                        ByteArrayOutputStream said = new ByteArrayOutputStream();
                        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
                        URI uri = DashboardLink.agentUri(in.text());
                        System.setErr(stderr);
                        if (uri == null) {
                            assertThat(said.toString(StandardCharsets.UTF_8)).as("reason for refusing %s", in)
                                    .startsWith("lockscope: dashboard=").contains("running without a dashboard");
                            refused.incrementAndGet();
                        } else {
                            assertThat(uri.getScheme()).as("%s -> %s", in, uri).isIn("ws", "wss");
                            assertThat(uri.getHost()).as("%s -> %s", in, uri).isNotBlank();
                            assertThat(uri.getRawPath()).as("%s -> %s", in, uri).startsWith("/");
                            taken.incrementAndGet();
                        }
                    });
        } finally {
            System.setErr(stderr);
        }
        System.out.printf("dashboard address: %d taken, %d refused with a reason%n", taken.get(), refused.get());
    }
}
