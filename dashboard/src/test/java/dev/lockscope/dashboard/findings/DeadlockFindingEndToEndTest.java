package dev.lockscope.dashboard.findings;

import static dev.lockscope.dashboard.findings.FindingsSupport.between;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** Each deadlock variant gets a deadlock finding naming its threads and locks; each fix gets none. */
class DeadlockFindingEndToEndTest {

    record Variant(String lock, int threads) {}

    @Test
    void everyDeadlockVariantIsNamedWithItsThreadsLocksAndCoffmanConditions() throws Exception {
        List<Variant> variants = List.of(new Variant("synchronized", 2), new Variant("synchronized", 3),
                new Variant("reentrant", 2), new Variant("reentrant", 3));
        List<ChildJvm> apps = new ArrayList<>();
        try (RunningDashboard d = FindingsSupport.dashboard()) {
            for (Variant v : variants) {
                apps.add(ChildJvm.sample("deadlock", "--lock=" + v.lock(), "--threads=" + v.threads(),
                                "--hold=" + between(1, 20))
                        .agent("dashboard=" + d.agentUrl() + ",name=deadlock-" + v.lock() + "-" + v.threads()).start());
            }
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(i);
                ChildJvm app = apps.get(i);
                Matcher formed = app.awaitLine("cycle formed at (\\d+)", Duration.ofSeconds(30));
                long formedAt = Long.parseLong(formed.group(1));
                String id = FindingsSupport.jvmId(d, app.pid());
                JsonNode f = FindingsSupport.awaitOpen(d, id, "deadlock", Duration.ofSeconds(20));
                long latency = f.path("startedAt").asLong() - formedAt;
                System.out.printf("deadlock finding (%s, %d threads) opened %d ms after the cycle formed%n",
                        v.lock(), v.threads(), latency);
                assertThat(latency).isLessThan(10_000);
                assertThat(f.path("severity").asText()).isEqualTo("critical");
                assertThat(f.at("/evidence/cycleLength").asInt()).isEqualTo(v.threads());
                for (int t = 0; t < v.threads(); t++) {
                    assertThat(f.path("explanation").asText()).contains("transfer-" + t);
                }
                String lockClass = v.lock().equals("synchronized") ? "dev.lockscope.samples.Deadlock$Account"
                        : "java.util.concurrent.locks.ReentrantLock";
                assertThat(f.path("explanation").asText()).contains(lockClass)
                        .contains("mutual exclusion").contains("hold and wait").contains("no preemption")
                        .contains("circular wait");
                assertThat(f.path("fix").asText()).contains("global order").contains("Deadlock.lockBoth");
                assertThat(f.at("/evidence/captureId").asText()).isNotBlank();
            }
        } finally {
            apps.forEach(ChildJvm::close);
        }
    }

    @Test
    void noFixedVariantRaisesADeadlockFindingOverThreeWindows() throws Exception {
        List<ChildJvm> apps = new ArrayList<>();
        try (RunningDashboard d = FindingsSupport.dashboard()) {
            apps.add(ChildJvm.sample("deadlock", "--fixed", "--lock=synchronized", "--threads=" + between(2, 4))
                    .agent("dashboard=" + d.agentUrl() + ",name=ordered-sync").start());
            apps.add(ChildJvm.sample("deadlock", "--fixed", "--lock=reentrant", "--threads=" + between(2, 4))
                    .agent("dashboard=" + d.agentUrl() + ",name=ordered-reentrant").start());
            apps.add(ChildJvm.sample("deadlock", "--fixed=trylock", "--lock=reentrant", "--threads=" + between(2, 4))
                    .agent("dashboard=" + d.agentUrl() + ",name=trylock").start());
            List<String> ids = new ArrayList<>();
            for (ChildJvm app : apps) {
                ids.add(FindingsSupport.jvmId(d, app.pid()));
            }
            Thread.sleep(3 * FindingsSupport.WINDOW.toMillis() + 2000);
            for (int i = 0; i < apps.size(); i++) {
                assertThat(apps.get(i).stdout()).noneMatch(l -> l.contains("DEADLOCKED"));
                assertThat(FindingsSupport.ofKind(d, ids.get(i), "deadlock")).isEmpty();
            }
        } finally {
            apps.forEach(ChildJvm::close);
        }
    }
}
