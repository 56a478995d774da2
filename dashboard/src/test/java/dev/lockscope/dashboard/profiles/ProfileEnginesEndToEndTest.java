package dev.lockscope.dashboard.profiles;

import static dev.lockscope.dashboard.profiles.Profiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Allocation profiles with both engines, and the JFR fallback when someone else already runs async-profiler. */
class ProfileEnginesEndToEndTest {
    /**
     * Only this module's test classes: the full test class path also holds a copy of the agent's classes, which
     * would shadow the real agent jar's in the child.
     */
    private static final String CP = testClasses();

    private static String testClasses() {
        try {
            return java.nio.file.Path.of(AllocatingApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void allocationProfileByAsyncProfilerNamesTheAllocatingMethodAndTheAllocatedClass() throws Exception {
        assertAllocationProfile("", "async-profiler");
    }

    @Test
    void allocationProfileByJfrNamesTheAllocatingMethodAndTheAllocatedClass() throws Exception {
        assertAllocationProfile(",profiler=jfr", "jfr");
    }

    private static void assertAllocationProfile(String options, String engine) throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, AllocatingApp.class.getName())
                     .agent("dashboard=" + d.agentUrl() + ",name=allocator" + options).start()) {
            app.awaitLine("allocating", Duration.ofSeconds(30));
            String jvm = jvmId(d, app.pid());
            String id = startOk(d, jvm, "{\"event\":\"alloc\",\"duration\":4}").path("id").asText();
            JsonNode done = awaitFinished(d, id, Duration.ofSeconds(60));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
            assertThat(done.path("engine").asText()).isEqualTo(engine);
            Map<String, Long> stacks = collapsed(download(d, "/api/profiles/" + id + "/collapsed").body());
            long samples = stacks.values().stream().mapToLong(Long::longValue).sum();
            double inAllocate = share(stacks, "dev.lockscope.dashboard.profiles.AllocatingApp.allocate");
            double byteArrays = share(stacks, ";byte[]_[i]");
            System.out.printf("%s alloc: %d samples, %.1f%% in AllocatingApp.allocate, %.1f%% byte[]%n",
                    engine, samples, inAllocate * 100, byteArrays * 100);
            assertThat(samples).isGreaterThan(20);
            assertThat(inAllocate).isGreaterThan(0.7);
            assertThat(byteArrays).isGreaterThan(0.7);
            assertThat(d.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }

    @Test
    void asyncProfilerAlreadyLoadedBySomeoneElseIsLeftAloneAndJfrProfilesInstead() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, ForeignAsyncProfilerApp.class.getName(), Jars.AGENT.toString())
                     .agent("dashboard=" + d.agentUrl() + ",name=foreign").start()) {
            app.awaitLine("foreign: Profiling started", Duration.ofSeconds(30));
            String jvm = jvmId(d, app.pid());
            JsonNode started = startOk(d, jvm, "{\"event\":\"cpu\",\"duration\":5}");
            assertThat(started.path("engine").asText()).isEqualTo("jfr");
            assertThat(started.path("engineNote").asText())
                    .contains("async-profiler is already loaded in this process by someone else")
                    .contains("libasyncProfiler");
            JsonNode done = awaitFinished(d, started.path("id").asText(), Duration.ofSeconds(60));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
            Map<String, Long> stacks = collapsed(download(d, "/api/profiles/" + done.path("id").asText() + "/collapsed").body());
            long samples = stacks.values().stream().mapToLong(Long::longValue).sum();
            double burner = share(stacks, "ForeignAsyncProfilerApp");
            System.out.printf("jfr beside a foreign async-profiler: %d samples, %.1f%% in the app's burner%n", samples, burner * 100);
            // JFR samples only threads running Java code: the burner, and the agent's own threads now and then
            assertThat(samples).isGreaterThanOrEqualTo(5);
            assertThat(burner).isGreaterThan(0.3);

            // The other profiler kept running, undisturbed.
            int before = app.stdout().size();
            app.awaitLine("foreign status: Profiling is running", Duration.ofSeconds(10));
            assertThat(app.stdout().subList(before, app.stdout().size())).noneMatch(l -> l.contains("not active"));
            assertThat(app.isAlive()).isTrue();
            assertThat(d.jvmByPid(app.pid()).at("/sample/profile/engine").asText()).startsWith("jfr (async-profiler is already loaded");
        }
    }

    @Test
    void wallProfilesOfBrokenAndFixedRunsDiffToShowTheBurnShrinking() throws Exception {
        try (RunningDashboard d = RunningDashboard.start();
             ChildJvm broken = ChildJvm.sample("cpu-burn", "--threads=1")
                     .agent("dashboard=" + d.agentUrl() + ",name=burn-broken").start();
             ChildJvm fixed = ChildJvm.sample("cpu-burn", "--threads=1", "--fixed")
                     .agent("dashboard=" + d.agentUrl() + ",name=burn-fixed").start()) {
            String a = startOk(d, jvmId(d, broken.pid()), "{\"event\":\"wall\",\"duration\":4,\"threads\":\"burner\"}")
                    .path("id").asText();
            String b = startOk(d, jvmId(d, fixed.pid()), "{\"event\":\"wall\",\"duration\":4,\"threads\":\"burner\"}")
                    .path("id").asText();
            assertThat(awaitFinished(d, a, Duration.ofSeconds(60)).path("status").asText()).isEqualTo("done");
            JsonNode bDone = awaitFinished(d, b, Duration.ofSeconds(60));
            assertThat(bDone.path("status").asText()).isEqualTo("done");
            assertThat(bDone.path("threads").asText()).isEqualTo("burner");
            Map<String, Long> fixedStacks = collapsed(download(d, "/api/profiles/" + b + "/collapsed").body());
            assertThat(fixedStacks.keySet()).allMatch(s -> s.contains("CpuBurn"), "only the burner thread was kept");

            JsonNode diff = d.get("/api/profiles/" + a + "/diff/" + b);
            System.out.println("diff broken -> fixed: " + diff);
            JsonNode shrank = diff.path("shrank").get(0);
            assertThat(shrank.path("frame").asText()).isEqualTo("dev.lockscope.samples.CpuBurn.checksum");
            assertThat(shrank.path("deltaPct").asDouble()).isLessThan(-30);
            assertThat(diff.path("grew").get(0).path("deltaPct").asDouble()).isGreaterThan(10);

            HttpResponse<byte[]> html = download(d, "/api/profiles/" + a + "/diff/" + b + "/html");
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.headers().firstValue("Content-Security-Policy").orElse("")).contains("sandbox allow-scripts");
            assertThat(new String(html.body())).contains("Differential wall profile").contains(" pp]");

            String cpu = startOk(d, jvmId(d, broken.pid()), "{\"event\":\"cpu\",\"duration\":1}").path("id").asText();
            awaitFinished(d, cpu, Duration.ofSeconds(60));
            assertThat(d.getRaw("/api/profiles/" + a + "/diff/" + cpu).statusCode()).isEqualTo(400);
        }
    }
}
