package dev.lockscope.dashboard.profiles;

import static dev.lockscope.dashboard.profiles.Profiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.RunningDashboard;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lock profiles of cache-stampede: the cache's lock acquisition path dominates, with either engine. */
class LockProfileEndToEndTest {

    @Test
    void lockProfileOfCacheStampedeIsDominatedByTheCacheLockWithAsyncProfiler() throws Exception {
        assertLockProfile("", "async-profiler", "jdk.ThreadPark");
    }

    @Test
    void lockProfileOfCacheStampedeIsDominatedByTheCacheLockWithJfr() throws Exception {
        assertLockProfile(",profiler=jfr", "jfr", "jdk.ThreadPark");
    }

    @Test
    void lockProfileOfTheSynchronizedCacheShowsMonitorContentionWithAsyncProfiler() throws Exception {
        assertLockProfile("", "async-profiler", "jdk.JavaMonitorEnter", "--lock=synchronized", null, "java.lang.Object_[i]");
    }

    @Test
    void lockProfileOfTheSynchronizedCacheShowsMonitorContentionWithJfr() throws Exception {
        assertLockProfile(",profiler=jfr", "jfr", "jdk.JavaMonitorEnter", "--lock=synchronized", null, "java.lang.Object_[i]");
    }

    private static void assertLockProfile(String agentOptions, String engine, String jfrEvent) throws Exception {
        assertLockProfile(agentOptions, engine, jfrEvent, "--lock=reentrant", "java.util.concurrent.locks.ReentrantLock.lock",
                "java.util.concurrent.locks.ReentrantLock$NonfairSync_[i]");
    }

    private static void assertLockProfile(String agentOptions, String engine, String jfrEvent, String lockKind,
                                          String lockFrame, String leaf) throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.sample("cache-stampede", "--readers=8", "--ttl=400", "--load=150", lockKind)
                     .agent("dashboard=" + d.agentUrl() + ",name=stampede" + agentOptions).start()) {
            String jvm = jvmId(d, app.pid());
            String id = startOk(d, jvm, "{\"event\":\"lock\",\"duration\":5,\"threshold\":1}").path("id").asText();
            JsonNode done = awaitFinished(d, id, Duration.ofSeconds(60));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
            assertThat(done.path("engine").asText()).isEqualTo(engine);

            Map<String, Long> stacks = collapsed(download(d, "/api/profiles/" + id + "/collapsed").body());
            long samples = stacks.values().stream().mapToLong(Long::longValue).sum();
            double underLock = share(stacks, "dev.lockscope.samples.CacheStampede$PriceCache.priceUnderLock");
            double viaLock = lockFrame == null ? underLock : share(stacks, lockFrame);
            double toLeaf = stacks.entrySet().stream().filter(e -> e.getKey().endsWith(";" + leaf))
                    .mapToLong(Map.Entry::getValue).sum() / (double) Math.max(1, samples);
            System.out.printf("%s lock (%s): %d contended acquisitions, %.1f%% via priceUnderLock, %.1f%% through %s, %.1f%% on %s%n",
                    engine, lockKind, samples, underLock * 100, viaLock * 100, lockFrame, toLeaf * 100, leaf);
            assertThat(samples).isGreaterThan(10);
            assertThat(underLock).isGreaterThan(0.8);
            assertThat(viaLock).isGreaterThan(0.8);
            // the lock's class is the leaf frame, as in async-profiler's own lock graphs
            assertThat(toLeaf).isGreaterThan(0.8);
            assertThat(jfrEvents(download(d, "/api/profiles/" + id + "/jfr").body(), jfrEvent)).isGreaterThanOrEqualTo(samples);
            assertThat(d.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }
}
