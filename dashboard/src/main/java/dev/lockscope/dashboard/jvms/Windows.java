package dev.lockscope.dashboard.jvms;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;

/** The {@code ?window=} parameter every windowed API takes: {@code 10s}, {@code 60s}, {@code 10m}, ... */
public final class Windows {
    public static final long DEFAULT_MS = 60_000;
    public static final long MAX_MS = 24L * 3600_000;

    private Windows() {}

    /** Window length in milliseconds from {@code ?window=}, default one minute; a bad value is a 400. */
    public static long fromQuery(Context ctx) {
        String w = ctx.queryParam("window");
        if (w == null || w.isBlank()) {
            return DEFAULT_MS;
        }
        try {
            long ms = parseMillis(w);
            if (ms <= 0 || ms > MAX_MS) {
                throw new IllegalArgumentException();
            }
            return ms;
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("window '" + w + "' is not a duration like 10s, 60s or 10m (max 24h)");
        }
    }

    /**
     * The window a view shows: {@code windowMs} long, ending at {@code endMs} ({@link Long#MAX_VALUE}: at the latest
     * sample, i.e. live).
     */
    public record Range(long windowMs, long endMs) {
        public boolean live() {
            return endMs == Long.MAX_VALUE;
        }
    }

    /**
     * {@code ?from=&to=} (epoch ms, a window brushed on a chart) when both are given, else {@code ?window=} ending
     * now. A bad value is a 400.
     */
    public static Range rangeFromQuery(Context ctx) {
        String from = ctx.queryParam("from");
        String to = ctx.queryParam("to");
        if (from == null && to == null) {
            return new Range(fromQuery(ctx), Long.MAX_VALUE);
        }
        try {
            long f = Long.parseLong(String.valueOf(from).strip());
            long t = Long.parseLong(String.valueOf(to).strip());
            if (f <= 0 || t <= f || t - f > MAX_MS) {
                throw new IllegalArgumentException();
            }
            return new Range(t - f, t);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("from and to must be epoch milliseconds, from before to, at most 24h apart");
        }
    }

    static long parseMillis(String v) {
        String t = v.trim().toLowerCase();
        long factor;
        if (t.endsWith("ms")) {
            factor = 1;
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            factor = 1000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            factor = 60_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            factor = 3_600_000;
            t = t.substring(0, t.length() - 1);
        } else {
            factor = 1000; // plain number: seconds
        }
        return Math.multiplyExact(Long.parseLong(t), factor);
    }
}
