package dev.lockscope.it;

import java.util.List;
import java.util.Random;

/**
 * Random and mutated input for the fuzz tests: a seeded generator, so a failure names the seed that reproduces
 * it ({@code -Dlockscope.fuzz.seed=N}), and a fixed number of tries, so the suite's time stays bounded.
 *
 * <p>Written for this project rather than taken from a property-testing library: jqwik (1.10+) asks not to be
 * used by AI coding agents, which wrote these tests, and a coverage-guided fuzzer (Jazzer) only fuzzes outside
 * a normal test run. What the tests need is cheap: random text, and valid seeds broken in the ways parsers trip
 * over (truncation, bit flips, spliced tokens, deep nesting, huge numbers, odd Unicode).
 */
public final class Fuzz {
    private static final String[] TOKENS = {
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\u00", "\\uD800", "\\u+041", "null", "true", "false",
        "-", "0", "-0", "1e999", "1e-999", "9223372036854775808", "-9223372036854775809", "1.5e", ".", "NaN",
        "Infinity", "\u0000", "\n", "\t", " ", "\u2028", "\uD83D\uDE00", "\uFFFF", "%00", "%2e%2e", "../", "..\\",
        "<script>", "</script><img src=x onerror=alert(1)>", "'", "=", ";", "&", "?", "#", "{{", "$(", "`",
    };

    private final Random random;
    private final long seed;

    private Fuzz(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    /**
     * A generator for {@code what}, seeded from {@code -Dlockscope.fuzz.seed=N}, or from the clock with
     * {@code -Dlockscope.fuzz.seed=random} (to explore), or by default from {@code what}: the suite replays the
     * same inputs on every run, so a red build always means a change, never a lucky draw.
     */
    public static Fuzz seeded(String what) {
        String property = System.getProperty("lockscope.fuzz.seed");
        long seed = property == null ? what.hashCode()
                : property.equals("random") ? System.nanoTime() : Long.parseLong(property);
        System.out.println("fuzz " + what + ": seed " + seed + " (rerun with -Dlockscope.fuzz.seed=" + seed + ")");
        return new Fuzz(seed);
    }

    public long seed() {
        return seed;
    }

    public Random random() {
        return random;
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    public <T> T oneOf(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    /** Random text up to {@code maxLength} chars: mostly printable ASCII and tokens, some arbitrary chars. */
    public String text(int maxLength) {
        int n = random.nextInt(maxLength + 1);
        StringBuilder b = new StringBuilder(n);
        while (b.length() < n) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                b.append((char) (0x20 + random.nextInt(0x5f)));
            } else if (kind < 8) {
                b.append(TOKENS[random.nextInt(TOKENS.length)]);
            } else {
                b.append((char) random.nextInt(0x10000));
            }
        }
        return b.length() > maxLength ? b.substring(0, maxLength) : b.toString();
    }

    /** {@code s} with lone surrogates replaced by '?': what can travel in a WebSocket text frame or a URL. */
    public static String encodable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '?' : c);
            }
        }
        return b.toString();
    }

    /** {@code seed} broken in one to three ways. */
    public String mutate(String seed) {
        String s = seed;
        int rounds = 1 + random.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            s = mutateOnce(s);
        }
        return s;
    }

    private String mutateOnce(String s) {
        int at = s.isEmpty() ? 0 : random.nextInt(s.length());
        return switch (random.nextInt(8)) {
            case 0 -> s.substring(0, at); // truncated
            case 1 -> s.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + s.substring(at); // token spliced in
            case 2 -> s.isEmpty() ? s : s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(8)));
            case 3 -> s.isEmpty() ? s : s.substring(0, at) + (char) (s.charAt(at) ^ (1 << random.nextInt(8))) + s.substring(at + 1);
            case 4 -> s.substring(0, at) + s.substring(at, Math.min(s.length(), at + random.nextInt(40))).repeat(2 + random.nextInt(4)) + s.substring(at);
            case 5 -> "[".repeat(1 + random.nextInt(3000)) + s; // deep nesting
            case 6 -> s.replaceFirst("-?[0-9]+", random.nextBoolean() ? "99999999999999999999999" : "-1");
            default -> s.replaceFirst("\"[a-zA-Z]+\"", java.util.regex.Matcher.quoteReplacement("\"" + text(12).replace("\"", "") + "\""));
        };
    }
}
