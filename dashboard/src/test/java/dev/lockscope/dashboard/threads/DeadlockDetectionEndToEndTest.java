package dev.lockscope.dashboard.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real {@code deadlock} sample with the real agent and dashboard: every broken variant is reported once,
 * with its cycle, soon after the sample says the cycle formed; no fixed variant is ever reported.
 */
class DeadlockDetectionEndToEndTest {
    private static RunningDashboard dashboard;

    @BeforeAll
    static void startDashboard() {
        dashboard = RunningDashboard.start();
    }

    @AfterAll
    static void stopDashboard() {
        dashboard.close();
    }

    @ParameterizedTest(name = "{0} lock, {1}-thread cycle")
    @CsvSource({"synchronized, 2", "synchronized, 3", "reentrant, 2", "reentrant, 3"})
    void deadlockIsReportedOnceWithItsCycleAndItsDump(String lock, int threads) throws Exception {
        try (ChildJvm app = ChildJvm.sample("deadlock", "--lock=" + lock, "--threads=" + threads)
                .agent("dashboard=" + dashboard.agentUrl() + ",name=deadlock-" + lock + "-" + threads).start()) {
            // given: the sample says when its cycle formed
            long formedAt = Long.parseLong(app.awaitLine("deadlock: cycle formed at (\\d+)", Duration.ofSeconds(30)).group(1));

            // when: the dashboard's API shows it
            AtomicReference<JsonNode> jvm = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        jvm.set(dashboard.jvmByPid(app.pid()));
                        return jvm.get() != null;
                    });
            String id = jvm.get().path("id").asText();
            AtomicReference<JsonNode> deadlocks = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        deadlocks.set(dashboard.get("/api/jvms/" + id + "/deadlocks"));
                        return deadlocks.get().size() > 0;
                    });
            long latencyMs = System.currentTimeMillis() - formedAt;
            JsonNode first = deadlocks.get().get(0);
            System.out.printf("deadlock %s/%d threads: visible in the dashboard API %d ms after the cycle formed "
                            + "(agent detected it after %d ms, the dashboard received it %d ms after detection; JVM up %d ms when the cycle formed)%n",
                    lock, threads, latencyMs, first.path("detectedAt").asLong() - formedAt,
                    first.path("receivedAt").asLong() - first.path("detectedAt").asLong(),
                    formedAt - jvm.get().path("startTime").asLong());
            assertThat(latencyMs).isLessThan(10_000);

            // then: one cycle with the sample's threads, each waiting for the lock the next one holds
            JsonNode d = deadlocks.get().get(0);
            assertThat(d.path("cycles").size()).isEqualTo(1);
            JsonNode cycle = d.path("cycles").get(0);
            assertThat(cycle.path("length").asInt()).isEqualTo(threads);
            List<String> names = new ArrayList<>();
            cycle.path("threads").forEach(t -> names.add(t.path("name").asText()));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                expected.add("transfer-" + i);
            }
            assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
            String lockClass = "synchronized".equals(lock) ? "dev.lockscope.samples.Deadlock$Account"
                    : "java.util.concurrent.locks.ReentrantLock$NonfairSync";
            String kind = "synchronized".equals(lock) ? "monitor" : "synchronizer";
            for (int i = 0; i < threads; i++) {
                JsonNode t = cycle.path("threads").get(i);
                JsonNode next = cycle.path("threads").get((i + 1) % threads);
                int n = Integer.parseInt(t.path("name").asText().substring("transfer-".length()));
                assertThat(t.path("state").asText()).isEqualTo("synchronized".equals(lock) ? "BLOCKED" : "WAITING");
                assertThat(t.at("/waitingFor/className").asText()).isEqualTo(lockClass);
                assertThat(t.at("/waitingFor/kind").asText()).isEqualTo(kind);
                assertThat(t.at("/holds/className").asText()).isEqualTo(lockClass);
                // thread i moves money from account i to i+1: it waits for the lock transfer-(i+1) holds
                assertThat(t.path("waitingForOwnerName").asText()).isEqualTo("transfer-" + (n + 1) % threads);
                assertThat(next.path("name").asText()).isEqualTo(t.path("waitingForOwnerName").asText());
                assertThat(next.at("/holds/identityHash").asText()).isEqualTo(t.at("/waitingFor/identityHash").asText());
                assertThat(t.path("waitingAt").asText()).contains("Deadlock.lockBoth");
                if ("synchronized".equals(lock)) {
                    assertThat(t.path("holdsTakenAt").asText()).contains("dev.lockscope.samples.Deadlock.lockBoth(Deadlock.java:");
                }
            }
            assertThat(d.path("note").asText()).contains("Semaphores").contains("no owner");

            // and the dump taken at detection is stored, in JSON and in the JVM's own text
            String captureId = d.path("captureId").asText();
            JsonNode dump = dashboard.get("/api/threaddumps/" + captureId);
            assertThat(dump.path("trigger").asText()).isEqualTo("deadlock");
            assertThat(dump.path("deadlockedThreadIds").size()).isEqualTo(threads);
            HttpResponse<String> text = dashboard.getRaw("/api/threaddumps/" + captureId + "?format=text&download=true");
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(text.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment; filename=\"threaddump-" + app.pid());
            assertThat(text.body()).contains("Found one Java-level deadlock").contains("\"transfer-0\"");

            // the JVM list flags it
            await().atMost(Duration.ofSeconds(5)).until(() -> dashboard.jvmByPid(app.pid()).path("deadlocked").asBoolean());
            assertThat(dashboard.jvmByPid(app.pid()).path("deadlockCount").asInt()).isEqualTo(1);

            // and several detection periods later it has not been reported again
            long checks = dashboard.jvmByPid(app.pid()).at("/sample/threads/deadlockChecks").asLong();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    dashboard.jvmByPid(app.pid()).at("/sample/threads/deadlockChecks").asLong() >= checks + 6);
            assertThat(dashboard.get("/api/jvms/" + id + "/deadlocks").size()).isEqualTo(1);
            JsonNode sample = dashboard.jvmByPid(app.pid()).path("sample");
            assertThat(sample.at("/threads/deadlockCyclesDetected").asLong()).isEqualTo(1);
            assertThat(sample.at("/threads/deadlockedThreads").asInt()).isEqualTo(threads);
            assertThat(sample.at("/agent/suppressedErrors").asLong()).isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void deadlockFormingInARunningJvmIsVisibleWithinTwoSecondsAtDefaultSettings() throws Exception {
        List<Long> latencies = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            try (ChildJvm app = ChildJvm.main(StableThreads.classPath(), StableThreads.class.getName(), "3", "--deadlock-after=3000")
                    .agent("dashboard=" + dashboard.agentUrl() + ",name=late-deadlock").start()) {
                // given: the agent is connected and sampling before the cycle forms
                app.awaitLine("^ready", Duration.ofSeconds(30));
                String id = ThreadDumpEndToEndTest.awaitJvm(dashboard, app);
                long formedAt = Long.parseLong(app.awaitLine("deadlock: cycle formed at (\\d+)", Duration.ofSeconds(30)).group(1));
                AtomicReference<JsonNode> deadlocks = new AtomicReference<>();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
                    deadlocks.set(dashboard.get("/api/jvms/" + id + "/deadlocks"));
                    return deadlocks.get().size() > 0;
                });
                long latency = System.currentTimeMillis() - formedAt;
                JsonNode d = deadlocks.get().get(0);
                System.out.printf("running JVM: deadlock visible in the dashboard API %d ms after the cycle formed "
                                + "(agent detected it after %d ms, the dashboard received it %d ms after detection)%n",
                        latency, d.path("detectedAt").asLong() - formedAt, d.path("receivedAt").asLong() - d.path("detectedAt").asLong());
                latencies.add(latency);
                List<String> names = new ArrayList<>();
                d.at("/cycles/0/threads").forEach(t -> names.add(t.path("name").asText()));
                assertThat(names).containsExactly("late-1", "late-0"); // late-1 started first: lower id
            }
        }
        // the target is 2 s; the assertion allows a loaded machine a generous margin
        assertThat(latencies).allMatch(l -> l < 10_000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"--fixed", "--fixed --lock=reentrant", "--fixed=trylock --lock=reentrant",
            "--fixed --threads=3", "--fixed=trylock --lock=reentrant --threads=3"})
    void fixedVariantIsNeverReported(String args) throws Exception {
        try (ChildJvm app = ChildJvm.sample("deadlock", args.split(" "))
                .agent("dashboard=" + dashboard.agentUrl() + ",name=fixed").start()) {
            AtomicReference<JsonNode> jvm = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                jvm.set(dashboard.jvmByPid(app.pid()));
                return jvm.get() != null && jvm.get().at("/sample/threads/deadlockChecks").asLong() > 0;
            });
            long checks = jvm.get().at("/sample/threads/deadlockChecks").asLong();
            // several detection periods (500 ms each by default) with transfers going on
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    dashboard.jvmByPid(app.pid()).at("/sample/threads/deadlockChecks").asLong() >= checks + 8);
            JsonNode now = dashboard.jvmByPid(app.pid());
            assertThat(app.stdout()).anyMatch(l -> l.matches("deadlock: transfers=[1-9]\\d* .*"));
            assertThat(app.stdout()).noneMatch(l -> l.contains("cycle formed"));
            assertThat(dashboard.get("/api/jvms/" + now.path("id").asText() + "/deadlocks").size()).isZero();
            assertThat(now.path("deadlocked").asBoolean()).isFalse();
            assertThat(now.path("deadlockCount").asInt()).isZero();
            assertThat(now.at("/sample/threads/deadlockCyclesDetected").asLong()).isZero();
            assertThat(now.at("/sample/threads/deadlockedThreads").asInt()).isZero();
            assertThat(now.at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }
}
