package dev.lockscope.dashboard.findings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThresholdsTest {

    @Test
    void aSystemPropertyOverridesTheDefaultAndABadOneIsRefusedByName() {
        String key = Thresholds.PREFIX + "test.threshold";
        try {
            assertThat(Thresholds.number("test.threshold", 0.3)).isEqualTo(0.3);
            System.setProperty(key, "0.5");
            assertThat(Thresholds.number("test.threshold", 0.3)).isEqualTo(0.5);
            System.setProperty(key, "lots");
            assertThatThrownBy(() -> Thresholds.whole("test.threshold", 3))
                    .hasMessageContaining("-Dlockscope.findings.test.threshold=lots is not a number");
        } finally {
            System.clearProperty(key);
        }
    }
}
