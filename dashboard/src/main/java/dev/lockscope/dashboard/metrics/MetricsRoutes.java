package dev.lockscope.dashboard.metrics;

import dev.lockscope.dashboard.RouteGroup;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;

/**
 * {@code GET /metrics} in the Prometheus text format (0.0.4), whatever the scraper's {@code Accept} asks for:
 * one format that every Prometheus version reads. Guarded like the API: with a token, Prometheus sends it as
 * {@code authorization: {credentials: …}} (a bearer header).
 */
public final class MetricsRoutes implements RouteGroup {
    public static final String PATH = "/metrics";

    private final DashboardMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsRoutes(DashboardMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.get(PATH, this::scrape);
    }

    private void scrape(Context ctx) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, metrics.scrape());
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(writer.getContentType()).result(out.toByteArray());
    }
}
