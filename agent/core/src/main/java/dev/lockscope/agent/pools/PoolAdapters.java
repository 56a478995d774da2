package dev.lockscope.agent.pools;

import java.util.List;

/** Every pool kind the agent reads, first match wins. */
final class PoolAdapters {
    static final List<PoolAdapter> ALL = List.of(
            new JdkThreadPoolAdapter(),
            new ForkJoinAdapter(),
            new TomcatPoolAdapter(),
            new JettyPoolAdapter());

    private PoolAdapters() {}

    static PoolAdapter forPool(Object pool) {
        for (PoolAdapter a : ALL) {
            if (a.accepts(pool)) {
                return a;
            }
        }
        return null;
    }
}
