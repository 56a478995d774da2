package dev.lockscope.dashboard;

import io.javalin.Javalin;

/**
 * {@code java -jar lockscope-dashboard.jar [--port 7070] [--host 127.0.0.1] [--token T]}, or
 * {@code java -jar lockscope-dashboard.jar report <files…> -o report.html} (no server).
 */
public final class DashboardMain {
    private DashboardMain() {}

    public static void main(String[] args) {
        if (args.length > 0 && "report".equals(args[0])) {
            System.exit(dev.lockscope.dashboard.report.ReportCommand.run(
                    java.util.List.of(args).subList(1, args.length), System.out, System.err));
            return;
        }
        if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            System.out.println(DashboardConfig.USAGE);
            return;
        }
        DashboardConfig config;
        try {
            config = DashboardConfig.parse(args, System.getenv("LOCKSCOPE_TOKEN"));
        } catch (IllegalArgumentException e) {
            System.err.println("lockscope-dashboard: " + e.getMessage());
            System.err.println(DashboardConfig.USAGE);
            System.exit(2);
            return;
        }
        Javalin app;
        try {
            app = DashboardApp.create(config);
        } catch (RuntimeException e) {
            System.err.println("lockscope-dashboard: " + rootMessage(e));
            System.exit(1);
            return;
        }
        try {
            app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            System.err.println("lockscope-dashboard: cannot listen on " + config.host() + ":" + config.port()
                    + ": " + rootMessage(e));
            System.exit(1);
            return;
        }
        System.out.println("lockscope dashboard on http://" + hostForUrl(config.host()) + ":" + app.port() + "/"
                + (config.token() != null ? " (token required)" : "")
                + "; data in " + (config.dataDir() == null ? "memory only" : config.dataDir()));
        Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "dashboard-shutdown"));
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
