package dev.lockscope.dashboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lockscope.dashboard.jvms.Json;
import org.junit.jupiter.api.Test;

/** Ranking, the "other" bucket and repeated ids, on the agent's lock rows. */
class TopLocksTest {
    private static ArrayNode locks(long... waitNs) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (int i = 0; i < waitNs.length; i++) {
            a.addObject().put("id", "L" + i).put("name", "lock " + i).put("waits", i + 1).put("totalWaitNs", waitNs[i]);
        }
        return a;
    }

    @Test
    void theHeaviestLocksKeepTheirRowsAndTheRestAreSummedIntoOther() {
        var rows = TopLocks.of(locks(10, 50, 30, 20), 2);
        assertThat(rows).extracting(TopLocks.Row::id).containsExactly("L1", "L2", "other");
        assertThat(rows.get(2).waits()).isEqualTo(1 + 4); // L0 and L3
        assertThat(rows.get(2).waitNs()).isEqualTo(10 + 20);
    }

    @Test
    void noOtherRowWhenEverythingFits() {
        assertThat(TopLocks.of(locks(5, 6), 10)).extracting(TopLocks.Row::id).containsExactly("L1", "L0");
    }

    @Test
    void aRepeatedIdBecomesOneRowSoTheScrapeNeverHasDuplicateSeries() {
        ArrayNode a = locks(100, 5);
        a.addObject().put("id", "L0").put("name", "lock 0").put("waits", 7).put("totalWaitNs", 1);
        a.addObject().put("id", "other").put("name", "other").put("waits", 9).put("totalWaitNs", 1000);
        var rows = TopLocks.of(a, 10);
        assertThat(rows).extracting(TopLocks.Row::id).containsExactly("L0", "L1", "other");
        assertThat(rows.get(0).waits()).isEqualTo(8);
        assertThat(rows.get(2).waits()).isEqualTo(9);
    }
}
