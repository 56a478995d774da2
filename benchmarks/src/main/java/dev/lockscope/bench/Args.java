package dev.lockscope.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code key=value} command-line arguments of the harness programs; anything else is refused with its text. */
public final class Args {
    private Args() {}

    public static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + a + "'");
            }
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return o;
    }
}
