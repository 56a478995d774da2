package dev.lockscope.samples;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --key=value} options of a sample; every option must be used by the sample, or it is an error. */
final class SampleOptions {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    static SampleOptions parse(String[] args) {
        SampleOptions o = new SampleOptions();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() < 3) {
                throw new IllegalArgumentException("bad argument '" + a + "' (expected --key or --key=value)");
            }
            int eq = a.indexOf('=');
            if (eq < 0) {
                o.values.put(a.substring(2), "true");
            } else {
                o.values.put(a.substring(2, eq), a.substring(eq + 1));
            }
        }
        o.used.add("duration");
        o.used.add("fixed");
        return o;
    }

    boolean fixed() {
        return values.containsKey("fixed") && !"false".equals(values.get("fixed"));
    }

    /** {@code --fixed} alone is "default"; {@code --fixed=trylock} names a variant. */
    String fixedVariant() {
        String v = values.get("fixed");
        return v == null || "true".equals(v) ? "default" : v;
    }

    long longValue(String key, long fallback) {
        used.add(key);
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + "=" + v + " is not a non-negative whole number");
        }
    }

    int intValue(String key, int fallback, int min) {
        long n = longValue(key, fallback);
        if (n < min || n > 100_000) {
            throw new IllegalArgumentException("--" + key + " must be between " + min + " and 100000");
        }
        return (int) n;
    }

    String choice(String key, String fallback, String... allowed) {
        used.add(key);
        String v = values.getOrDefault(key, fallback);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException("--" + key + "=" + v + " is not one of " + String.join(", ", allowed));
    }

    void rejectUnused() {
        for (String k : values.keySet()) {
            if (!used.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k);
            }
        }
    }
}
