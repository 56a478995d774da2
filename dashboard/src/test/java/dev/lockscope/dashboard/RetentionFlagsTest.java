package dev.lockscope.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetentionFlagsTest {
    @Test
    void retentionDefaultsBoundEventsAndDisconnectedJvms() {
        DashboardConfig c = DashboardConfig.parse(new String[0], null);
        assertThat(c.history()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.maxEvents()).isEqualTo(1000);
        assertThat(c.maxDisconnected()).isEqualTo(200);
    }

    @Test
    void retentionFlagsAreParsedAndOutOfRangeValuesAreRefusedByName() {
        DashboardConfig c = DashboardConfig.parse(new String[] {"--max-events", "250", "--max-disconnected=0"}, null);
        assertThat(c.maxEvents()).isEqualTo(250);
        assertThat(c.maxDisconnected()).isZero();
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--max-events", "0"}, null))
                .hasMessage("--max-events 0 is not a whole number from 1 to 1000000");
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--max-disconnected", "lots"}, null))
                .hasMessage("--max-disconnected lots is not a whole number from 0 to 100000");
    }
}
