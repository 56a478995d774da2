package dev.lockscope.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockscope.dashboard.DashboardConfig;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private final AccessPolicy loopback = new AccessPolicy(null, true);

    @Test
    void onlyLoopbackHostNamesReachALoopbackDashboard() {
        assertThat(loopback.hostRefusal("127.0.0.1:7070")).isNull();
        assertThat(loopback.hostRefusal("localhost:7070")).isNull();
        assertThat(loopback.hostRefusal("[::1]:7070")).isNull();
        assertThat(loopback.hostRefusal("rebind.attacker.example:7070")).isNotNull();
        assertThat(loopback.hostRefusal(null)).isNotNull();
    }

    @Test
    void originMustBeTheDashboardsOwn() {
        assertThat(loopback.originRefusal(null, "127.0.0.1:7070")).isNull();
        assertThat(loopback.originRefusal("http://127.0.0.1:7070", "127.0.0.1:7070")).isNull();
        assertThat(loopback.originRefusal("http://127.0.0.1:7071", "127.0.0.1:7070")).isNotNull();
        assertThat(loopback.originRefusal("null", "127.0.0.1:7070")).isNotNull();
        assertThat(loopback.originRefusal("file://", "127.0.0.1:7070")).isNotNull();
    }

    @Test
    void tokensAreCheckedAndExchangedForSessions() {
        AccessPolicy p = new AccessPolicy("t0ken", false);
        assertThat(p.agentRefusal("Bearer t0ken", null, "h")).isNull();
        assertThat(p.agentRefusal("Bearer nope", null, "h")).isEqualTo("wrong token");
        assertThat(p.agentRefusal(null, null, "h")).contains("requires a token");
        assertThat(p.apiAllowed(null, null)).isFalse();
        assertThat(p.login("nope")).isNull();
        String session = p.login("t0ken");
        assertThat(session).isNotBlank().doesNotContain("t0ken");
        assertThat(p.apiAllowed(null, session)).isTrue();
        assertThat(p.apiAllowed(null, session + "x")).isFalse();
    }

    @Test
    void aNonLoopbackBindWithoutATokenIsRefused() {
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--host", "0.0.0.0"}, null))
                .hasMessageContaining("set --token");
        assertThat(DashboardConfig.parse(new String[] {"--host", "0.0.0.0", "--token", "x"}, null).token()).isEqualTo("x");
        assertThat(DashboardConfig.parse(new String[] {"--host", "0.0.0.0"}, "from-env").token()).isEqualTo("from-env");
        assertThat(DashboardConfig.parse(new String[] {"--port=0"}, null).port()).isZero();
    }
}
