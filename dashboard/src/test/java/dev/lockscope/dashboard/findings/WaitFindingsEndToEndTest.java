package dev.lockscope.dashboard.findings;

import static dev.lockscope.dashboard.findings.FindingsSupport.between;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.BusyHealthyWorkload;
import dev.lockscope.it.programs.PacedWorkload;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Stalls that are not locks: each finding on its sample (run side by side on one dashboard), and none of them
 * on the fixed samples or on the healthy and busy-but-healthy workloads.
 */
class WaitFindingsEndToEndTest {
    static final List<String> KINDS = List.of("resource-pool-exhaustion", "common-pool-starvation", "blocked-event-loop",
            "gc-amplified-contention");
    /** Four JVMs start together on a small shared machine: agents take a while to come up. */
    static final Duration FIND = Duration.ofSeconds(90);

    /** Like {@link FindingsSupport#jvmId}, with the patience several JVMs starting at once need. */
    static String jvmId(RunningDashboard d, long pid) {
        AtomicReference<String> id = new AtomicReference<>();
        await().atMost(FIND).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode j = d.jvmByPid(pid);
            if (j != null) {
                id.set(j.path("id").asText());
            }
            return j != null;
        });
        return id.get();
    }

    @Test
    void eachNonLockStallIsFoundOnItsSampleWithItsEvidence() throws Exception {
        int pool = between(2, 5);
        int workers = pool * 3 + between(0, 4);
        int lookup = between(20, 40);
        int queryMs = between(30, 80);
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm conn = ChildJvm.sample("connection-pool", "--workers=" + workers, "--pool=" + pool,
                     "--query=" + queryMs).agent("dashboard=" + d.agentUrl() + ",name=orders").start();
             ChildJvm common = ChildJvm.sample("common-pool", "--requests=" + between(4, 10), "--io=" + between(50, 150))
                     .agent("dashboard=" + d.agentUrl() + ",name=prices").start();
             ChildJvm loop = ChildJvm.sample("event-loop", "--lookup=" + lookup, "--interval=" + between(lookup, 2 * lookup))
                     .agent("dashboard=" + d.agentUrl() + ",name=gateway").start();
             ChildJvm reports = ChildJvm.sample("event-loop", "--lookup=1", "--compute=" + between(130, 200),
                     "--interval=" + between(500, 700)).agent("dashboard=" + d.agentUrl() + ",name=reports").start();
             ChildJvm gc = ChildJvm.sample("gc-contention", "--workers=" + between(4, 8), "--entries=" + between(50_000, 80_000))
                     .agent("dashboard=" + d.agentUrl() + ",name=sessions").start()) {
            String connId = jvmId(d, conn.pid());
            String commonId = jvmId(d, common.pid());
            String loopId = jvmId(d, loop.pid());
            String gcId = jvmId(d, gc.pid());
            String reportsId = jvmId(d, reports.pid());

            JsonNode exhausted = FindingsSupport.awaitOpen(d, connId, "resource-pool-exhaustion", FIND);
            assertThat(exhausted.at("/evidence/apparentPoolSize").asInt()).isEqualTo(pool);
            assertThat(exhausted.at("/evidence/pool").asText()).isEqualTo("dev.lockscope.samples.connpool.ConnectionPool");
            assertThat(exhausted.at("/evidence/waitsOn").asText()).isEqualTo("java.util.concurrent.Semaphore.acquire");
            assertThat(exhausted.at("/evidence/waitingMax").asInt()).isBetween(2, workers - pool);
            // Who the waiters wait on: the request threads holding the connections at the last stack read.
            JsonNode heldBy = exhausted.at("/evidence/heldBy");
            assertThat(heldBy.size()).isBetween(1, pool);
            heldBy.forEach(n -> assertThat(n.asText()).matches("request-\\d+"));
            assertThat(exhausted.path("fix").asText()).contains("Little's law").contains("timeout");
            // Sized from measured figures: each connection is held at least the sample's query time (the figure is
            // an upper bound: acquisitions that never waited are not in the rate; a loaded machine adds more), and
            // the request threads (2 ms between requests) would keep nearly one connection each busy.
            assertThat(exhausted.at("/evidence/sizedFrom").asText()).isEqualTo("measured hold time and arrival rate");
            assertThat(exhausted.at("/evidence/holdMs").asDouble()).isGreaterThan(0.7 * queryMs);
            assertThat(exhausted.at("/evidence/recommendedPoolSize").asInt()).isBetween(Math.max(pool + 1, workers * 7 / 10), workers);

            JsonNode starved = FindingsSupport.awaitOpen(d, commonId, "common-pool-starvation", FIND);
            assertThat(starved.at("/evidence/blockedAt").asText()).contains("CommonPoolStarvation.fetchPrice");
            assertThat(starved.at("/evidence/blockedIn").asText()).isEqualTo("java.lang.Thread.sleep");
            assertThat(starved.path("fix").asText()).contains("dedicated executor");

            JsonNode blocked = FindingsSupport.awaitOpen(d, loopId, "blocked-event-loop", FIND);
            assertThat(blocked.at("/evidence/thread").asText()).isEqualTo("event-loop-*");
            assertThat(blocked.at("/evidence/blockedIn").asText()).isEqualTo("java.util.concurrent.CompletableFuture.join");
            assertThat(blocked.at("/evidence/blockedAt").asText()).contains("BlockedEventLoop.onEvent");
            assertThat(blocked.at("/evidence/blockedShare").asDouble()).isGreaterThan(0.3);

            // A loop that computes rather than waits: not blocked, but its long tasks hold up every event.
            JsonNode longTasks = FindingsSupport.awaitOpen(d, reportsId, "blocked-event-loop", FIND);
            assertThat(longTasks.at("/evidence/why").asText()).isEqualTo("single-threaded executor");
            assertThat(longTasks.at("/evidence/blockedShare").asDouble()).isLessThan(0.3);
            assertThat(longTasks.at("/evidence/p99TaskMs").asDouble()).isGreaterThanOrEqualTo(100);
            assertThat(longTasks.path("explanation").asText()).contains("runs long tasks");

            JsonNode amplified = FindingsSupport.awaitOpen(d, gcId, "gc-amplified-contention", FIND);
            assertThat(amplified.at("/evidence/lockClass").asText()).isEqualTo("java.lang.Object");
            assertThat(amplified.at("/evidence/gcPauses").asInt()).isPositive();
            assertThat(amplified.at("/evidence/overlapMs").asDouble()).isPositive();
            assertThat(amplified.path("fix").asText()).contains("allocate less");
        }
    }

    @Test
    void fixedSamplesAndHealthyWorkloadsRaiseNoneOfThem() throws Exception {
        String cp = System.getProperty("java.class.path");
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm conn = ChildJvm.sample("connection-pool", "--fixed", "--workers=" + between(8, 16),
                     "--pool=" + between(2, 4)).agent("dashboard=" + d.agentUrl() + ",name=orders-fixed").start();
             ChildJvm common = ChildJvm.sample("common-pool", "--fixed", "--requests=" + between(4, 10))
                     .agent("dashboard=" + d.agentUrl() + ",name=prices-fixed").start();
             ChildJvm loop = ChildJvm.sample("event-loop", "--fixed", "--lookup=" + between(20, 40), "--interval=" + between(10, 25))
                     .agent("dashboard=" + d.agentUrl() + ",name=gateway-fixed").start();
             ChildJvm gc = ChildJvm.sample("gc-contention", "--fixed", "--workers=" + between(4, 8))
                     .agent("dashboard=" + d.agentUrl() + ",name=sessions-fixed").start();
             ChildJvm busy = ChildJvm.main(cp, BusyHealthyWorkload.class.getName(), "2")
                     .agent("dashboard=" + d.agentUrl() + ",name=busy-healthy").start();
             ChildJvm paced = ChildJvm.main(cp, PacedWorkload.class.getName(), "4")
                     .agent("dashboard=" + d.agentUrl() + ",name=healthy").start()) {
            List<String> ids = new ArrayList<>();
            for (ChildJvm a : List.of(conn, common, loop, gc, busy, paced)) {
                ids.add(jvmId(d, a.pid()));
            }
            // Every JVM has a full detection window of time breakdown, then three more windows pass.
            await().atMost(FIND).pollInterval(Duration.ofSeconds(1)).until(() -> {
                for (String id : ids) {
                    JsonNode v = d.get("/api/jvms/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/waits?window="
                            + FindingsSupport.WINDOW.toSeconds() + "s");
                    if (!v.path("fullWindow").asBoolean() || v.at("/coverage/looks").asLong() == 0) {
                        return false;
                    }
                }
                return true;
            });
            Thread.sleep(3 * FindingsSupport.WINDOW.toMillis());
            for (String id : ids) {
                for (String kind : KINDS) {
                    assertThat(FindingsSupport.ofKind(d, id, kind)).as(kind + " on " + id).isEmpty();
                }
            }
        }
    }
}
