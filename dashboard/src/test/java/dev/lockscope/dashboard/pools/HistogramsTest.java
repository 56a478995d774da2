package dev.lockscope.dashboard.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.bridge.PoolHistogram;
import dev.lockscope.dashboard.jvms.Json;
import org.junit.jupiter.api.Test;

/** The dashboard decodes the agent's histogram buckets exactly as the agent encodes them ("log2x16ns"). */
class HistogramsTest {

    @Test
    void everyBucketBoundOfTheDashboardMatchesTheAgentsEncoding() {
        for (int i = 0; i < PoolHistogram.BUCKETS - 1; i++) {
            assertThat(Histograms.lowerBound(i)).as("bucket %d", i).isEqualTo(PoolHistogram.lowerBound(i));
            assertThat(PoolHistogram.index(PoolHistogram.lowerBound(i))).isEqualTo(i);
            assertThat(PoolHistogram.index(Histograms.upperBound(i) - 1)).isEqualTo(i);
        }
    }

    @Test
    void windowPercentilesComeFromTheDifferenceOfTwoCumulativeHistograms() throws Exception {
        PoolHistogram h = new PoolHistogram();
        for (int i = 0; i < 100; i++) {
            h.record(1_000_000); // 1 ms, before the window
        }
        JsonNode then = json(h);
        for (int i = 1; i <= 100; i++) {
            h.record(i * 10_000_000L); // 10 ms .. 1000 ms, in the window
        }
        Histograms.Summary s = Histograms.summary(json(h), then);
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.meanMs()).isCloseTo(505.0, within(0.001));
        assertThat(s.p50Ms()).isCloseTo(500.0, within(500.0 * 0.04));
        assertThat(s.p99Ms()).isCloseTo(990.0, within(990.0 * 0.04));
        assertThat(s.maxMs()).isEqualTo(1000.0);
    }

    private static JsonNode json(PoolHistogram h) throws Exception {
        StringBuilder b = new StringBuilder("{\"count\":" + h.count() + ",\"sumNs\":" + h.sumNanos() + ",\"maxNs\":"
                + h.maxNanos() + ",\"buckets\":[");
        String sep = "";
        for (int i = 0; i < PoolHistogram.BUCKETS; i++) {
            if (h.bucket(i) > 0) {
                b.append(sep).append('[').append(i).append(',').append(h.bucket(i)).append(']');
                sep = ",";
            }
        }
        return Json.MAPPER.readTree(b.append("]}").toString());
    }
}
