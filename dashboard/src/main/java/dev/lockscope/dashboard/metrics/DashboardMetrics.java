package dev.lockscope.dashboard.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.dashboard.findings.FindingsEngine;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What {@code /metrics} exposes, built with the official Prometheus client: callback metrics that read the
 * registry's latest samples and the findings engine at scrape time (nothing is copied or kept here). Every
 * per-JVM series carries {@code jvm_id} (stable across reconnects) and {@code jvm} (the display name).
 *
 * <p>Cardinality is bounded by construction: JVMs by the registry (connected ones, plus at most
 * {@link JvmRegistry}'s cap of disconnected ones for {@code lockscope_jvm_connected}), thread states and
 * finding kinds by fixed sets, locks by {@link #TOP_LOCKS} plus {@code other} per JVM, pools by the agent's cap.
 *
 * <p>Thread-safety: scrapes may run concurrently; each reads point-in-time copies from the registry.
 */
public final class DashboardMetrics {
    /** Locks per JVM with their own series; enough for "which lock" alerts, small enough for any TSDB. */
    public static final int TOP_LOCKS = 10;
    private static final String[] STATES = {"RUNNABLE", "BLOCKED", "WAITING", "TIMED_WAITING"};

    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final JvmRegistry registry;

    public DashboardMetrics(JvmRegistry registry, FindingsEngine findings) {
        this.registry = registry;
        GaugeWithCallback.builder().name("lockscope_jvm_connected")
                .help("1 while the JVM's agent is connected, 0 after it went away").labelNames("jvm_id", "jvm")
                .callback(cb -> registry.all().forEach(s -> cb.call(s.connected() ? 1 : 0, s.id(), name(s))))
                .register(prometheus);
        GaugeWithCallback.builder().name("lockscope_jvm_threads").help("live threads by state")
                .labelNames("jvm_id", "jvm", "state")
                .callback(cb -> eachLatest((s, body) -> {
                    JsonNode t = body.path("vitals").path("threads");
                    for (String state : STATES) {
                        if (t.has(state)) {
                            cb.call(t.path(state).asDouble(), s.id(), name(s), state);
                        }
                    }
                })).register(prometheus);
        GaugeWithCallback.builder().name("lockscope_jvm_cpu_load").help("the JVM process's CPU load, 0 to 1")
                .labelNames("jvm_id", "jvm")
                .callback(cb -> eachLatest((s, body) -> {
                    double load = body.path("vitals").path("cpu").path("processCpuLoad").asDouble(-1);
                    if (load >= 0) {
                        cb.call(load, s.id(), name(s));
                    }
                })).register(prometheus);
        GaugeWithCallback.builder().name("lockscope_jvm_heap_used_bytes").help("heap in use")
                .labelNames("jvm_id", "jvm")
                .callback(cb -> eachLatest((s, body) -> {
                    JsonNode used = body.path("vitals").path("heap").path("usedBytes");
                    if (used.isNumber()) {
                        cb.call(used.asDouble(), s.id(), name(s));
                    }
                })).register(prometheus);
        CounterWithCallback.builder().name("lockscope_lock_waits")
                .help("contended acquisitions of the top " + TOP_LOCKS + " locks by total wait; the rest as lock=\"other\"")
                .labelNames("jvm_id", "jvm", "lock", "lock_id")
                .callback(cb -> eachLock((s, r) -> cb.call(r.waits(), s.id(), name(s), r.name(), r.id())))
                .register(prometheus);
        CounterWithCallback.builder().name("lockscope_lock_wait_seconds")
                .help("time threads waited for the top " + TOP_LOCKS + " locks by total wait; the rest as lock=\"other\"")
                .labelNames("jvm_id", "jvm", "lock", "lock_id")
                .callback(cb -> eachLock((s, r) -> cb.call(r.waitNs() / 1e9, s.id(), name(s), r.name(), r.id())))
                .register(prometheus);
        pool("lockscope_pool_active_threads", "threads of the pool running a task", "active", false);
        pool("lockscope_pool_max_threads", "the pool's maximum size (parallelism for fork/join pools)", "max", false);
        pool("lockscope_pool_queue_depth", "tasks waiting in the pool's queue", "queueDepth", false);
        pool("lockscope_pool_tasks_submitted", "tasks submitted to the pool", "submitted", true);
        pool("lockscope_pool_tasks_completed", "tasks the pool completed", "completed", true);
        pool("lockscope_pool_tasks_rejected", "tasks the pool rejected", "rejected", true);
        GaugeWithCallback.builder().name("lockscope_findings_open").help("open findings by kind")
                .labelNames("jvm_id", "jvm", "kind")
                .callback(cb -> registry.all().stream().filter(JvmSession::connected).forEach(s ->
                        findings.openByKind(s.id()).forEach((kind, n) -> cb.call(n, s.id(), name(s), kind))))
                .register(prometheus);
    }

    /** A point-in-time snapshot of every metric. */
    public MetricSnapshots scrape() {
        return prometheus.scrape();
    }

    private void pool(String metric, String help, String field, boolean counter) {
        if (counter) {
            CounterWithCallback.builder().name(metric).help(help).labelNames("jvm_id", "jvm", "pool", "pool_id")
                    .callback(cb -> eachPool(field, (s, p) -> cb.call(p.path(field).asDouble(), s.id(), name(s),
                            p.path("name").asText(), p.path("id").asText())))
                    .register(prometheus);
        } else {
            GaugeWithCallback.builder().name(metric).help(help).labelNames("jvm_id", "jvm", "pool", "pool_id")
                    .callback(cb -> eachPool(field, (s, p) -> cb.call(p.path(field).asDouble(), s.id(), name(s),
                            p.path("name").asText(), p.path("id").asText())))
                    .register(prometheus);
        }
    }

    /** Calls {@code f} with the latest sample body of each connected JVM. */
    private void eachLatest(BiConsumer<JvmSession, JsonNode> f) {
        for (JvmSession s : registry.all()) {
            JvmSession.Sample latest = s.latest();
            if (s.connected() && latest != null) {
                f.accept(s, latest.body());
            }
        }
    }

    private void eachLock(BiConsumer<JvmSession, TopLocks.Row> f) {
        eachLatest((s, body) -> {
            List<TopLocks.Row> rows = TopLocks.of(body.path("locks").path("locks"), TOP_LOCKS);
            rows.forEach(r -> f.accept(s, r));
        });
    }

    private void eachPool(String field, BiConsumer<JvmSession, JsonNode> f) {
        eachLatest((s, body) -> {
            java.util.Set<String> seen = new java.util.HashSet<>(); // a repeated id would fail the whole scrape
            for (JsonNode p : body.path("pools").path("pools")) {
                if (p.path(field).isNumber() && seen.add(p.path("id").asText())) {
                    f.accept(s, p);
                }
            }
        });
    }

    private static String name(JvmSession s) {
        return s.identity() == null ? s.id() : s.identity().path("name").asText(s.id());
    }
}
