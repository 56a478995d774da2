package dev.lockscope.dashboard.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds the lock series of one JVM: the {@code n} locks with the most cumulative wait keep their own labels,
 * everything else the agent sent is summed into one {@code other} row. Ranking by cumulative wait (not by a
 * recent window) keeps the membership stable, so each series stays a well-behaved counter; when a lock does
 * move into the top N, {@code other} drops by its share once, which Prometheus treats as a counter reset.
 */
final class TopLocks {
    static final String OTHER = "other";

    /** One row: a lock (or {@code other}) with its cumulative waits and wait time. */
    record Row(String id, String name, long waits, long waitNs) {}

    private TopLocks() {}

    /** The top {@code n} of {@code locks} (the agent's {@code body.locks.locks}) plus an {@code other} row if any remain. */
    static List<Row> of(JsonNode locks, int n) {
        // One row per id: a repeated id would be a duplicate series, which fails the whole scrape.
        Map<String, Row> byId = new LinkedHashMap<>();
        for (JsonNode l : locks) {
            Row r = new Row(l.path("id").asText(), l.path("name").asText(l.path("id").asText()),
                    l.path("waits").asLong(), l.path("totalWaitNs").asLong());
            byId.merge(r.id(), r, (a, b) -> new Row(a.id(), a.name(), a.waits() + b.waits(), a.waitNs() + b.waitNs()));
        }
        Row named = byId.remove(OTHER); // an agent lock with our bucket's id is counted in the bucket
        List<Row> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparingLong(Row::waitNs).reversed().thenComparing(Row::id));
        List<Row> out = new ArrayList<>(all.subList(0, Math.min(n, all.size())));
        if (all.size() > n || named != null) {
            long waits = named == null ? 0 : named.waits();
            long ns = named == null ? 0 : named.waitNs();
            for (Row r : all.subList(Math.min(n, all.size()), all.size())) {
                waits += r.waits();
                ns += r.waitNs();
            }
            out.add(new Row(OTHER, OTHER, waits, ns));
        }
        return out;
    }
}
