package dev.lockscope.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    @Test
    void knownOptionsAreReadAndProblemsAreCollectedNotThrown() {
        AgentOptions o = AgentOptions.parse("dashboard=ws://h:1/agent,name=checkout, colour=blue ,broken,,queue=x");
        assertThat(o.get("dashboard", null)).isEqualTo("ws://h:1/agent");
        assertThat(o.get("name", null)).isEqualTo("checkout");
        assertThat(o.number("queue", 1024)).isEqualTo(1024);
        assertThat(o.problems()).containsExactly(
                "unknown option 'colour' ignored (known: " + String.join(", ", AgentOptions.KNOWN.keySet()) + ")",
                "malformed option 'broken' (expected key=value)",
                "option queue=x is not a number; using 1024");
    }

    @Test
    void emptyOrMissingArgumentsMeanDefaults() {
        assertThat(AgentOptions.parse(null).problems()).isEmpty();
        assertThat(AgentOptions.parse("").get("dashboard", AgentOptions.DEFAULT_DASHBOARD))
                .isEqualTo(AgentOptions.DEFAULT_DASHBOARD);
    }

    @Test
    void durationsAcceptUnits() {
        assertThat(AgentOptions.Durations.parseMillis("250ms")).isEqualTo(250);
        assertThat(AgentOptions.Durations.parseMillis("2s")).isEqualTo(2000);
        assertThat(AgentOptions.Durations.parseMillis("5m")).isEqualTo(300_000);
        assertThat(AgentOptions.Durations.parseMillis("40")).isEqualTo(40);
    }

    @Test
    void secretLookingArgumentsAreRedactedButKeepTheirKey() {
        assertThat(JvmIdentity.redact("-Ddb.password=hunter2")).isEqualTo("-Ddb.password=***");
        assertThat(JvmIdentity.redact("-Dapi.token=abc")).isEqualTo("-Dapi.token=***");
        assertThat(JvmIdentity.redact("-DclientSecret=abc")).isEqualTo("-DclientSecret=***");
        assertThat(JvmIdentity.redact("-Xmx1g")).isEqualTo("-Xmx1g");
        assertThat(JvmIdentity.redact("-javaagent:x.jar=dashboard=ws://h/agent,token=abc"))
                .doesNotContain("abc");
    }
}
