package dev.lockscope.dashboard.profiles;

/** Flame graph pages for code outside this package (the report): collapsed stacks in, async-profiler's viewer out. */
public final class FlameGraphs {
    private FlameGraphs() {}

    /**
     * A self-contained HTML flame graph of {@code collapsed} ({@code frame;frame count} lines).
     *
     * @throws IllegalArgumentException naming the first malformed line
     */
    public static String html(String title, byte[] collapsed) {
        return FlameGraphHtml.render(title, Collapsed.parse(collapsed));
    }
}
