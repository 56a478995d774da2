package dev.lockscope.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockscope.bridge.LockBridge;
import dev.lockscope.protocol.JsonWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OverheadGovernorTest {
    private final List<String> events = new ArrayList<>();
    private final OverheadGovernor governor = new OverheadGovernor(1000, 5, (kind, body) -> {
        JsonWriter w = new JsonWriter().beginObject();
        body.accept(w);
        events.add(kind + " " + w.endObject());
    });

    @AfterEach
    void resetBridge() {
        governor.reset();
    }

    @Test
    void aRateOverBudgetFirstDropsStacksThenShortWaits() {
        governor.tick(500, 1_000);
        assertThat(governor.level()).isZero();
        assertThat(LockBridge.shedStacks).isFalse();

        governor.tick(4_000, 2_000);
        assertThat(governor.level()).isEqualTo(1);
        assertThat(LockBridge.shedStacks).isTrue();
        assertThat(LockBridge.minRecordNanos).isZero();

        governor.tick(4_000, 3_000);
        assertThat(governor.level()).isEqualTo(2);
        assertThat(LockBridge.minRecordNanos).isEqualTo(5_000_000L);
        assertThat(governor.thresholdMs()).isEqualTo(5);

        governor.tick(9_000, 4_000); // already at the top level: no further change, no event
        assertThat(events).containsExactly(
                "governor {\"action\":\"raised\",\"level\":1,\"ratePerSec\":4000,\"budgetPerSec\":1000,\"detail\":\"shedding detail: no stacks\"}",
                "governor {\"action\":\"raised\",\"level\":2,\"ratePerSec\":4000,\"budgetPerSec\":1000,\"detail\":\"shedding detail: no stacks; waits under 5 ms only counted\"}");
    }

    @Test
    void itRelaxesOneLevelAfterThreeSecondsUnderHalfTheBudget() {
        governor.tick(4_000, 1_000);
        governor.tick(4_000, 2_000);
        governor.tick(100, 3_000);
        governor.tick(100, 4_000);
        assertThat(governor.level()).isEqualTo(2);
        governor.tick(100, 5_000);
        assertThat(governor.level()).isEqualTo(1);
        assertThat(LockBridge.minRecordNanos).isZero();
        assertThat(LockBridge.shedStacks).isTrue();

        governor.tick(700, 6_000); // under budget but not under half: no progress towards relaxing
        governor.tick(100, 7_000);
        governor.tick(100, 8_000);
        assertThat(governor.level()).isEqualTo(1);
        governor.tick(100, 9_000);
        assertThat(governor.level()).isZero();
        assertThat(LockBridge.shedStacks).isFalse();
        assertThat(events).last().asString().startsWith("governor {\"action\":\"relaxed\",\"level\":0");
    }

    @Test
    void aBudgetOfZeroNeverSheds() {
        OverheadGovernor off = new OverheadGovernor(0, 1, (k, b) -> events.add(k));
        off.tick(1_000_000, 1_000);
        off.tick(1_000_000, 2_000);
        assertThat(off.level()).isZero();
        assertThat(events).isEmpty();
    }
}
