package dev.lockscope.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The data-directory and attach flags: defaults, accepted forms, and clear refusals. */
class EcosystemFlagsTest {
    @Test
    void byDefaultDataIsKeptUnderTheHomeDirectoryForAWeekUpToOneGibibyte() {
        DashboardConfig c = DashboardConfig.parse(new String[] {}, null);
        assertThat(c.dataDir()).isEqualTo(Paths.get(System.getProperty("user.home"), ".lockscope", "data"));
        assertThat(c.dataMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(c.dataMaxBytes()).isEqualTo(1L << 30);
        assertThat(c.uiAttach()).isEqualTo(DashboardConfig.UiAttach.AUTO);
        assertThat(c.agentJar()).isNull();
    }

    @Test
    void dataFlagsAcceptPathsNoneDaysAndSizeSuffixes() {
        DashboardConfig c = DashboardConfig.parse(new String[] {"--data-dir", "/tmp/ls", "--data-max-age=36h",
            "--data-max-size", "500m", "--agent-jar", "/opt/lockscope-agent.jar", "--ui-attach", "OFF"}, null);
        assertThat(c.dataDir()).isEqualTo(Paths.get("/tmp/ls"));
        assertThat(c.dataMaxAge()).isEqualTo(Duration.ofHours(36));
        assertThat(c.dataMaxBytes()).isEqualTo(500L << 20);
        assertThat(c.agentJar()).isEqualTo(Paths.get("/opt/lockscope-agent.jar"));
        assertThat(c.uiAttachEnabled()).isFalse();
        assertThat(DashboardConfig.parse(new String[] {"--data-dir", "none"}, null).dataDir()).isNull();
        assertThat(DashboardConfig.parseSize("2g")).isEqualTo(2L << 30);
        assertThat(DashboardConfig.parseSize("4096")).isEqualTo(4096);
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--data-max-size", "lots"}, null))
                .hasMessage("'lots' is not a size (use e.g. 500m, 2g)");
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--data-max-size", "0"}, null))
                .hasMessage("'0' is not a size (use e.g. 500m, 2g)");
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--ui-attach", "maybe"}, null))
                .hasMessage("--ui-attach maybe: use auto, on or off");
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--data-max-age", "soon"}, null))
                .hasMessageContaining("is not a duration");
    }
}
