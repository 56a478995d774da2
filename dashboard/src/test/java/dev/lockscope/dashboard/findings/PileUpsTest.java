package dev.lockscope.dashboard.findings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PileUpsTest {

    private static PileUps.PileUp at(long startMs) {
        return new PileUps.PileUp(startMs, startMs + 300, Set.of("a", "b", "c", "d"), 300, List.of());
    }

    @Test
    void interleavedSeriesWithOnePeriodAndDriftingPhasesGiveThatPeriod() {
        List<PileUps.PileUp> p = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            p.add(at(k * 2300L));            // entry 1
            p.add(at(k * 2300L + 700 + k * 15)); // entry 2, drifting
        }
        p.sort((a, b) -> Long.compare(a.startMs(), b.startMs()));
        assertThat(PileUps.periodMs(p)).isBetween(2250L, 2350L);
    }

    @Test
    void irregularBurstsHaveNoPeriod() {
        List<PileUps.PileUp> p = List.of(at(0), at(900), at(3100), at(3600), at(7900), at(8300));
        assertThat(PileUps.periodMs(p)).isEqualTo(-1);
    }

    @Test
    void twoPileUpsGiveTheirDistance() {
        assertThat(PileUps.periodMs(List.of(at(1000), at(3500)))).isEqualTo(2500);
    }
}
