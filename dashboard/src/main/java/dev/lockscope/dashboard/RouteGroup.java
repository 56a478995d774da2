package dev.lockscope.dashboard;

import io.javalin.config.RoutesConfig;

/** The HTTP routes of one capability (jvms, locks, pools, threads, profiles), registered by {@link DashboardApp}. */
public interface RouteGroup {
    void addRoutes(RoutesConfig routes);
}
