package dev.lockscope.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The {@code dashboard=} option accepts the addresses a user is likely to paste. */
class DashboardAddressTest {
    @Test
    void theWebSocketUrlIsTakenAsItIs() {
        assertThat(DashboardLink.agentUri("ws://127.0.0.1:7070/agent")).isEqualTo(URI.create("ws://127.0.0.1:7070/agent"));
        assertThat(DashboardLink.agentUri("wss://dash.example:8443/agent")).isEqualTo(URI.create("wss://dash.example:8443/agent"));
    }

    @Test
    void theDashboardsPageAddressOrHostAndPortReachItsAgentEndpoint() {
        assertThat(DashboardLink.agentUri("http://127.0.0.1:7070")).isEqualTo(URI.create("ws://127.0.0.1:7070/agent"));
        assertThat(DashboardLink.agentUri("http://127.0.0.1:7070/")).isEqualTo(URI.create("ws://127.0.0.1:7070/agent"));
        assertThat(DashboardLink.agentUri("https://dash.example:8443")).isEqualTo(URI.create("wss://dash.example:8443/agent"));
        assertThat(DashboardLink.agentUri("127.0.0.1:7070")).isEqualTo(URI.create("ws://127.0.0.1:7070/agent"));
    }

    @Test
    void anythingElseMeansNoDashboardRatherThanAFailure() {
        assertThat(DashboardLink.agentUri("ftp://127.0.0.1:7070")).isNull();
        assertThat(DashboardLink.agentUri("ws://")).isNull();
        assertThat(DashboardLink.agentUri("http://[bad")).isNull();
        // Relative URIs (no scheme): they made the whole agent fail to start (found by DashboardAddressFuzzTest).
        assertThat(DashboardLink.agentUri("#s://127.0.0.1:7070/agent")).isNull();
        assertThat(DashboardLink.agentUri("w?s://127.0.0.1:7070/agent")).isNull();
    }
}
