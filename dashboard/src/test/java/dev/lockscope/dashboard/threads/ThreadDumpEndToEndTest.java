package dev.lockscope.dashboard.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.it.ChildJvm;
import dev.lockscope.it.Jars;
import dev.lockscope.it.RunningDashboard;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Thread dumps of real JVMs through the real agent and dashboard. */
class ThreadDumpEndToEndTest {
    /**
     * Only the test classes: the test class path also holds the unshaded agent modules, which must not shadow
     * the real agent jar in the child.
     */
    static final String CP = StableThreads.classPath();
    private static final Pattern HEADER = Pattern.compile("^\"(.*)\" #\\d+");
    private static final Pattern STATE = Pattern.compile("^\\s+java\\.lang\\.Thread\\.State: (\\w+)");
    private static final Pattern SAFEPOINT = Pattern.compile(
            "Safepoint \"(\\w+)\".*Reaching safepoint: (\\d+) ns.*At safepoint: (\\d+) ns.*Total: (\\d+) ns");

    @Test
    void textDumpListsTheSameThreadsInTheSameStatesAsJcmdFromOutside() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, StableThreads.class.getName(), "30", "--spin")
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=stable").start()) {
            app.awaitLine("^ready", Duration.ofSeconds(30));
            String id = awaitJvm(dashboard, app);

            // when: the dashboard's text dump and jcmd's, around the same moment
            HttpResponse<String> ours = dashboard.getRaw("/api/jvms/" + id + "/threaddump?format=text");
            String theirs = jcmd(app.pid(), Jars.defaultJavaHome());

            // then: the same threads in the same states (the agent's own threads, and the Attach Listener jcmd
            // starts, excepted)
            assertThat(ours.statusCode()).isEqualTo(200);
            assertThat(ours.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(ours.body()).startsWith(theirs.substring(0, 4)); // both begin with the date line
            assertThat(ours.body()).contains("Full thread dump").contains("nid=0x").contains("cpu=");
            Map<String, String> a = parse(ours.body());
            Map<String, String> b = parse(theirs);
            System.out.printf("text dump: %d comparable threads, jcmd: %d%n", a.size(), b.size());
            assertThat(a).hasSizeGreaterThanOrEqualTo(30 + 9);
            assertThat(a).isEqualTo(b);
            assertThat(a).containsEntry("stable-blocked-2", "BLOCKED").containsEntry("stable-waiter-1", "WAITING")
                    .containsEntry("stable-sleeper-0", "TIMED_WAITING").containsEntry("chain-a", "BLOCKED")
                    .containsEntry("rl-waiter", "WAITING").containsEntry("spinner", "RUNNABLE");

            // and the JSON dump agrees, with locks, owners and the frame where each monitor was taken
            JsonNode dump = dashboard.get("/api/jvms/" + id + "/threaddump");
            Map<String, JsonNode> byName = new TreeMap<>();
            dump.path("threads").forEach(t -> byName.put(t.path("name").asText(), t));
            List<String> hiddenFromManagement = new ArrayList<>();
            for (Map.Entry<String, String> e : a.entrySet()) {
                if (byName.containsKey(e.getKey())) {
                    assertThat(byName.get(e.getKey()).path("state").asText()).as(e.getKey()).isEqualTo(e.getValue());
                } else {
                    hiddenFromManagement.add(e.getKey());
                }
            }
            // the JVM's own service threads are in the text but hidden from ThreadMXBean
            System.out.println("in the text dump, hidden from ThreadMXBean: " + hiddenFromManagement);
            assertThat(hiddenFromManagement).allMatch(n -> n.matches(
                    "C\\d CompilerThread\\d+|Service Thread|Monitor Deflation Thread|Sweeper thread|Notification Thread|Signal Dispatcher"));
            assertThat(a.keySet().stream().filter(n -> n.startsWith("stable-") || n.startsWith("chain-") || n.startsWith("rl-")))
                    .hasSize(31 + 5).allMatch(byName::containsKey);
            JsonNode chainA = byName.get("chain-a");
            assertThat(chainA.path("lockOwnerName").asText()).isEqualTo("chain-b");
            assertThat(chainA.at("/waitingOn/className").asText()).isEqualTo("java.lang.Object");
            assertThat(chainA.path("waitKind").asText()).isEqualTo("monitor-enter");
            JsonNode chainB = byName.get("chain-b");
            assertThat(chainB.path("lockedMonitors").size()).isEqualTo(1);
            assertThat(chainB.at("/lockedMonitors/0/identityHash").asText()).isEqualTo(chainA.at("/waitingOn/identityHash").asText());
            assertThat(chainB.at("/lockedMonitors/0/frame").asText()).contains("StableThreads.chainLink");
            JsonNode rlWaiter = byName.get("rl-waiter");
            assertThat(rlWaiter.at("/waitingOn/className").asText()).isEqualTo("java.util.concurrent.locks.ReentrantLock$NonfairSync");
            assertThat(rlWaiter.path("lockOwnerName").asText()).isEqualTo("rl-holder");
            assertThat(byName.get("rl-holder").has("lockedSynchronizers")).isFalse(); // not asked: no heap scan
            assertThat(byName.get("main").path("cpuTimeNs").asLong()).isPositive();
            // recent CPU%: the spinning thread is busy, the sleeping ones are not (the top -H view)
            double spinner = byName.get("spinner").path("recentCpuPercent").asDouble();
            double sleeper = byName.get("stable-sleeper-0").path("recentCpuPercent").asDouble();
            System.out.printf("recent CPU: spinner %.1f %%, stable-sleeper-0 %.1f %% (over %d ms)%n", spinner, sleeper,
                    dump.path("cpuWindowMs").asLong());
            assertThat(spinner).isGreaterThan(10.0).isLessThanOrEqualTo(101.0);
            assertThat(sleeper).isBetween(0.0, 1.0);
            assertThat(byName.get("spinner").path("cpuTimeNs").asLong()).isGreaterThan(100_000_000L);
            assertThat(byName.get("stable-sleeper-0").path("frames").get(0).asText()).contains("java.lang.Thread.sleep");

            // lockedSynchronizers on request: rl-holder holds the ReentrantLock
            HttpResponse<String> withSync = dashboard.post("/api/jvms/" + id + "/threaddump", "{\"lockedSynchronizers\":true}");
            assertThat(withSync.statusCode()).isEqualTo(200);
            String captureId = Json.MAPPER.readTree(withSync.body()).path("id").asText();
            JsonNode full = dashboard.get("/api/threaddumps/" + captureId);
            assertThat(full.path("lockedSynchronizers").asBoolean()).isTrue();
            JsonNode holder = null;
            for (JsonNode t : full.path("threads")) {
                if (t.path("name").asText().equals("rl-holder")) {
                    holder = t;
                }
            }
            assertThat(holder.at("/lockedSynchronizers/0/className").asText()).isEqualTo("java.util.concurrent.locks.ReentrantLock$NonfairSync");
            assertThat(dashboard.getRaw("/api/threaddumps/" + captureId + "?format=text").body())
                    .contains("Locked ownable synchronizers:");
            assertThat(dashboard.get("/api/jvms/" + id + "/threaddumps").size()).isEqualTo(3);

            // compare: the two dumps taken a moment apart show the parked threads stuck in the same frames
            JsonNode list = dashboard.get("/api/jvms/" + id + "/threaddumps");
            JsonNode cmp = dashboard.get("/api/threaddumps/" + list.get(1).path("id").asText() + "/compare/" + captureId);
            List<String> stuck = new ArrayList<>();
            cmp.path("stuck").forEach(t -> stuck.add(t.path("name").asText()));
            assertThat(stuck).contains("stable-blocked-2", "stable-waiter-1", "chain-a", "chain-b", "chain-c", "rl-waiter");
            assertThat(cmp.at("/stuck/0/state").asText()).isEqualTo("BLOCKED");

            JsonNode sample = dashboard.jvmByPid(app.pid()).path("sample");
            assertThat(sample.at("/threads/deadlockChecks").asLong()).isPositive();
            assertThat(sample.at("/threads/deadlockCyclesDetected").asLong()).isZero();
            assertThat(sample.at("/agent/suppressedErrors").asLong()).isZero();
        }
    }

    @Test
    void dumpOfTwoThousandThreadsIsServedAndItsSafepointPausesAreRecorded() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, StableThreads.class.getName(), "2000")
                     .jvmArg("-Xss256k").jvmArg("-Xlog:safepoint")
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=two-thousand").start()) {
            app.awaitLine("^ready", Duration.ofSeconds(120));
            String id = awaitJvm(dashboard, app);
            dashboard.get("/api/jvms/" + id + "/threaddump"); // warm-up (class loading, JIT)

            List<String> report = new ArrayList<>();
            for (boolean sync : new boolean[] {false, true, false, true}) {
                int before = app.stdout().size();
                long t0 = System.nanoTime();
                HttpResponse<String> r = dashboard.post("/api/jvms/" + id + "/threaddump",
                        "{\"lockedSynchronizers\":" + sync + "}");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode summary = Json.MAPPER.readTree(r.body());
                assertThat(summary.path("threadCount").asInt()).isGreaterThanOrEqualTo(2000 + 8);
                JsonNode dump = dashboard.get("/api/threaddumps/" + summary.path("id").asText());
                Thread.sleep(300); // let the log lines arrive
                String pauses = safepoints(app.stdout().subList(before, app.stdout().size()));
                String line = String.format("2,000 threads, lockedSynchronizers=%s: POST answered in %d ms (agent: JSON dump %.1f ms, text %.1f ms, total %.1f ms); safepoints: %s",
                        sync, ms, dump.path("dumpMs").asDouble(), dump.path("textMs").asDouble(), dump.path("totalMs").asDouble(), pauses);
                report.add(line);
                System.out.println(line);
                assertThat(pauses).contains("ThreadDump");
            }
            long t0 = System.nanoTime();
            HttpResponse<String> text = dashboard.getRaw("/api/jvms/" + id + "/threaddump?format=text");
            System.out.printf("2,000 threads: GET ?format=text answered in %d ms, %d chars%n",
                    (System.nanoTime() - t0) / 1_000_000, text.body().length());
            assertThat(parse(text.body())).containsEntry("stable-blocked-1997", "BLOCKED").hasSizeGreaterThan(2000);
            // the periodic deadlock check's cost with 2,000 threads, over a quiet window of 10 s
            JsonNode s0 = dashboard.jvmByPid(app.pid()).path("sample");
            int logFrom = app.stdout().size();
            Thread.sleep(10_000);
            System.out.println("quiet window safepoints: " + safepoints(app.stdout().subList(logFrom, app.stdout().size())));
            JsonNode s1 = dashboard.jvmByPid(app.pid()).path("sample");
            long n = s1.at("/threads/deadlockChecks").asLong() - s0.at("/threads/deadlockChecks").asLong();
            System.out.printf("quiet window: %d deadlock checks with %d threads, mean %.3f ms each%n", n,
                    s1.at("/vitals/threads/live").asInt(),
                    (s1.at("/threads/deadlockCheckTotalNs").asLong() - s0.at("/threads/deadlockCheckTotalNs").asLong()) / 1e6 / Math.max(1, n));
            assertThat(n).isGreaterThanOrEqualTo(5);
            JsonNode sample = dashboard.jvmByPid(app.pid()).path("sample");
            System.out.printf("deadlock check with %d threads: %d checks, mean %.3f ms, max %.3f ms%n",
                    sample.at("/vitals/threads/live").asInt(), sample.at("/threads/deadlockChecks").asLong(),
                    sample.at("/threads/deadlockCheckTotalNs").asLong() / 1e6 / Math.max(1, sample.at("/threads/deadlockChecks").asLong()),
                    sample.at("/threads/deadlockCheckMaxNs").asLong() / 1e6);
            assertThat(sample.at("/agent/suppressedErrors").asLong()).isZero();
        }
    }

    @Test
    void lockedSynchronizersCostAHeapScanAtTheSafepointOnABigHeap() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, StableThreads.class.getName(), "2000", "--fill=1500")
                     .jvmArg("-Xss256k").jvmArg("-Xmx3g").jvmArg("-Xms3g").jvmArg("-Xlog:safepoint")
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=big-heap").start()) {
            app.awaitLine("^ready", Duration.ofSeconds(180));
            String id = awaitJvm(dashboard, app);
            dashboard.get("/api/jvms/" + id + "/threaddump"); // warm-up
            System.out.println("heap used: " + dashboard.jvmByPid(app.pid()).at("/sample/vitals/heap/usedBytes").asLong() / (1 << 20) + " MiB");
            double[] at = new double[2];
            for (boolean sync : new boolean[] {false, true, false, true}) {
                int before = app.stdout().size();
                HttpResponse<String> r = dashboard.post("/api/jvms/" + id + "/threaddump", "{\"lockedSynchronizers\":" + sync + "}");
                assertThat(r.statusCode()).isEqualTo(200);
                Thread.sleep(300);
                String pauses = safepoints(app.stdout().subList(before, app.stdout().size()));
                System.out.printf("2,000 threads, ~1.5 GB of small objects, lockedSynchronizers=%s: %s%n", sync, pauses);
                Matcher m = Pattern.compile("ThreadDump ([\\d.]+) ms").matcher(pauses);
                assertThat(m.find()).isTrue();
                at[sync ? 1 : 0] = Double.parseDouble(m.group(1));
            }
            // the heap scan makes the dump's pause longer (asserted loosely: the figure is what matters)
            assertThat(at[1]).isGreaterThan(at[0]);
        }
    }

    @Test
    void virtualThreadsAreGroupedByStackOnJdk25() throws Exception {
        try (RunningDashboard dashboard = RunningDashboard.start();
             ChildJvm app = ChildJvm.main(CP, StableThreads.class.getName(), "3", "--virtual=500")
                     .javaHome(Jars.JDK25)
                     .agent("dashboard=" + dashboard.agentUrl() + ",name=virtual").start()) {
            app.awaitLine("^ready", Duration.ofSeconds(60));
            String id = awaitJvm(dashboard, app);
            JsonNode dump = dashboard.get("/api/jvms/" + id + "/threaddump");
            JsonNode v = dump.path("virtualThreads");
            assertThat(v.path("supported").asBoolean()).as(v.toString()).isTrue();
            assertThat(v.path("count").asInt()).isEqualTo(500);
            JsonNode top = v.path("groups").get(0);
            assertThat(top.path("count").asInt()).isEqualTo(500);
            assertThat(top.path("names").get(0).asText()).startsWith("vt-sleeper-");
            assertThat(top.at("/states/TIMED_WAITING").asInt()).isEqualTo(500);
            assertThat(top.path("frames").toString()).contains("java.lang.Thread.sleep");
            // platform threads stay in the platform list, virtual ones do not
            List<String> names = new ArrayList<>();
            dump.path("threads").forEach(t -> names.add(t.path("name").asText()));
            assertThat(names).contains("stable-holder").noneMatch(n -> n.startsWith("vt-sleeper-"));
            assertThat(dashboard.jvmByPid(app.pid()).at("/sample/agent/suppressedErrors").asLong()).isZero();
        }
    }

    /**
     * Waits until the JVM is listed and its agent has finished starting (every feature reported running), so
     * two dumps taken one after the other are not split by the instrumentation being installed in between.
     */
    static String awaitJvm(RunningDashboard dashboard, ChildJvm app) {
        AtomicReference<JsonNode> jvm = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            jvm.set(dashboard.jvmByPid(app.pid()));
            return jvm.get() != null && jvm.get().path("sample").isObject()
                    && jvm.get().at("/sample/agent/features").toString().contains("\"profile\"")
                    && jvm.get().at("/sample/locks/instrumentation/instrumentedClasses").asInt() > 0;
        });
        return jvm.get().path("id").asText();
    }

    /** Thread name to state, for Java threads other than the agent's own and jcmd's Attach Listener. */
    static Map<String, String> parse(String dump) {
        Map<String, String> out = new TreeMap<>();
        String name = null;
        for (String line : dump.split("\n")) {
            Matcher h = HEADER.matcher(line);
            if (h.find()) {
                name = h.group(1);
                continue;
            }
            Matcher s = STATE.matcher(line);
            if (s.find() && name != null) {
                if (!name.startsWith("lockscope-") && !name.equals("Attach Listener") && !name.startsWith("HttpClient-")) {
                    out.put(name, s.group(1));
                }
                name = null;
            }
        }
        return out;
    }

    static String jcmd(long pid, Path javaHome) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(javaHome.resolve("bin/jcmd").toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        // jcmd prints "<pid>:" first; the dump follows
        return out.substring(out.indexOf('\n') + 1);
    }

    private static String safepoints(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            Matcher m = SAFEPOINT.matcher(l);
            if (m.find() && !m.group(1).equals("Cleanup")) {
                out.add(String.format("%s %.2f ms (reaching %.2f ms, at safepoint %.2f ms)", m.group(1),
                        Long.parseLong(m.group(4)) / 1e6, Long.parseLong(m.group(2)) / 1e6, Long.parseLong(m.group(3)) / 1e6));
            }
        }
        return String.join("; ", out);
    }
}
