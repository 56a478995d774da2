package dev.lockscope.dashboard.findings;

import static dev.lockscope.dashboard.findings.FindingsSupport.between;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import dev.lockscope.it.programs.BusyHealthyWorkload;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stampede, hot lock and starvation on the real samples; their fixes and a healthy busy JVM raise nothing. */
class LockFindingsEndToEndTest {

    @Test
    void aCacheStampedeIsFoundWithinTwoTtlPeriodsWithItsPeriodEstimatedWithinTwentyPercent() throws Exception {
        int ttl = between(1200, 2500);
        int load = between(150, 350);
        String lock = FindingsSupport.RANDOM.nextBoolean() ? "reentrant" : "synchronized";
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("cache-stampede", "--ttl=" + ttl, "--load=" + load, "--lock=" + lock,
                     "--readers=" + between(10, 20), "--keys=" + between(1, 4))
                     .agent("dashboard=" + d.agentUrl() + ",name=prices").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            long connected = System.currentTimeMillis();
            JsonNode f = FindingsSupport.awaitOpen(d, id, "cache-stampede", Duration.ofMillis(3L * (ttl + load) + 10_000));
            long after = System.currentTimeMillis() - connected;
            long period = f.at("/evidence/periodMs").asLong();
            long truePeriod = reloadPeriod(app.stdout());
            System.out.printf("stampede (%s, ttl %d, load %d): found after %d ms, period %d ms vs %d ms true%n",
                    lock, ttl, load, after, period, truePeriod);
            assertThat((double) period).isCloseTo(truePeriod, org.assertj.core.data.Percentage.withPercentage(20));
            // Two periods from the JVM appearing, plus a margin for a loaded machine (the figure is printed above).
            assertThat(after).isLessThan(2 * truePeriod + 5_000);
            assertThat(f.at("/evidence/largestPileUp").asInt()).isGreaterThanOrEqualTo(StampedeDetector.MIN_HERD);
            assertThat(f.path("fix").asText()).contains("CacheStampede$PriceCache.priceUnderLock");
            assertThat(f.path("explanation").asText()).contains("PriceCache");
        }
    }

    /** Ground truth from the app itself: the median time between two reloads of the same entry. */
    private static long reloadPeriod(List<String> stdout) {
        java.util.Map<String, Long> lastReload = new java.util.HashMap<>();
        List<Long> gaps = new java.util.ArrayList<>();
        for (String line : stdout) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("reload (\\S+) at (\\d+)").matcher(line);
            if (m.find()) {
                Long before = lastReload.put(m.group(1), Long.parseLong(m.group(2)));
                if (before != null) {
                    gaps.add(Long.parseLong(m.group(2)) - before);
                }
            }
        }
        gaps.sort(Long::compare);
        return gaps.get(gaps.size() / 2);
    }

    @Test
    void aHotLockIsReportedWithItsSerialFractionAndAmdahlCeiling() throws Exception {
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("hot-lock", "--workers=" + between(6, 12), "--critical=" + between(300, 800),
                     "--work=" + between(50, 200)).agent("dashboard=" + d.agentUrl() + ",name=stats").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            JsonNode f = FindingsSupport.awaitOpen(d, id, "hot-lock", Duration.ofSeconds(30));
            double s = f.at("/evidence/serialFraction").asDouble();
            assertThat(s).isBetween(HotLockDetector.MIN_SERIAL_FRACTION, 1.0);
            assertThat(f.at("/evidence/amdahlCeiling").asDouble()).isCloseTo(1 / s, org.assertj.core.data.Offset.offset(0.05));
            assertThat(f.path("explanation").asText()).contains("HotLock.recordUnderLock").contains("Amdahl");
            assertThat(f.path("fix").asText()).contains("HotLock.recordUnderLock");
            assertThat(FindingsSupport.ofKind(d, id, "cache-stampede")).isEmpty();
        }
    }

    @Test
    void aWriterStarvedByBargingReadersIsReported() throws Exception {
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm app = ChildJvm.sample("starvation", "--readers=" + between(4, 10), "--read=" + between(15, 40))
                     .agent("dashboard=" + d.agentUrl() + ",name=config").start()) {
            String id = FindingsSupport.jvmId(d, app.pid());
            JsonNode f = FindingsSupport.awaitOpen(d, id, "starvation", Duration.ofSeconds(30));
            assertThat(f.at("/evidence/thread").asText()).isEqualTo("config-writer");
            assertThat(f.at("/evidence/lock").asText()).startsWith("java.util.concurrent.locks.ReentrantReadWriteLock");
            assertThat(f.path("explanation").asText()).contains("config-writer").contains("Starvation.write");
            assertThat(f.path("fix").asText()).contains("fair");
        }
    }

    @Test
    void fixedLockSamplesAndABusyButHealthyJvmRaiseNoFindings() throws Exception {
        try (RunningDashboard d = FindingsSupport.dashboard();
             ChildJvm stampede = ChildJvm.sample("cache-stampede", "--fixed", "--ttl=" + between(1200, 2500),
                     "--load=" + between(150, 350)).agent("dashboard=" + d.agentUrl() + ",name=prices-fixed").start();
             ChildJvm hot = ChildJvm.sample("hot-lock", "--fixed", "--workers=" + between(6, 12))
                     .agent("dashboard=" + d.agentUrl() + ",name=stats-fixed").start();
             ChildJvm starving = ChildJvm.sample("starvation", "--fixed", "--readers=" + between(4, 10))
                     .agent("dashboard=" + d.agentUrl() + ",name=config-fixed").start();
             ChildJvm busy = ChildJvm.main(System.getProperty("java.class.path"), BusyHealthyWorkload.class.getName(), "2")
                     .agent("dashboard=" + d.agentUrl() + ",name=busy-healthy").start()) {
            List<ChildJvm> apps = List.of(stampede, hot, starving, busy);
            List<String> ids = new java.util.ArrayList<>();
            for (ChildJvm a : apps) {
                ids.add(FindingsSupport.jvmId(d, a.pid()));
            }
            Thread.sleep(Math.max(3 * FindingsSupport.WINDOW.toMillis(), 3 * 2850) + 3000);
            for (String id : ids) {
                assertThat(FindingsSupport.findings(d, id)).as("findings of " + id).isEmpty();
            }
            // The busy JVM really was busy and contended its locks, so "no finding" means something.
            // (seconds of CPU burnt: on a loaded 2-core machine its share varies, its work does not vanish)
            assertThat(d.jvmByPid(busy.pid()).at("/sample/vitals/cpu/processCpuTimeNs").asLong()).isGreaterThan(2_000_000_000L);
        }
    }
}
