package dev.lockscope.it;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.quicktheories.QuickTheory;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * What the fuzz tests share, on QuickTheories: a theory seeded per target, random text, and mutations of valid
 * input as a generator of edit operations (so a failure shrinks to fewer, simpler edits of a simpler input).
 *
 * <p>The seed is fixed per target (a red build means a change, never a lucky draw), {@code -Dlockscope.fuzz.seed=N}
 * replays one, {@code -Dlockscope.fuzz.seed=random} explores. A falsified property fails with QuickTheories'
 * report: the smallest failing example found by shrinking, other failing examples, the cause and the seed.
 */
public final class Fuzzing {
    /** Spliced into text and valid input: what parsers, routers and renderers trip over. */
    private static final List<String> TOKENS = List.of(
            "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\u00", "\\uD800", "\\u+041", "null", "true", "false",
            "-", "0", "-0", "1e999", "1e-999", "9223372036854775808", "-9223372036854775809", "1.5e", ".", "NaN",
            "Infinity", "\u0000", "\n", "\t", " ", "\u2028", "\uD83D\uDE00", "\uFFFF", "%00", "%2e%2e", "../", "..\\",
            "<script>", "</script><img src=x onerror=alert(1)>", "'", "=", ";", "&", "?", "#", "{{", "$(", "`");

    /** What replaces a number: out of range, negative, or what JSON's number grammar (or a lenient parser) gets wrong. */
    private static final List<String> NUMBERS = List.of("99999999999999999999999", "-1", "01", "-01", "00", "1.", "-.5", ".5",
            "+1", "0x1F", "1e", "1E+", "1e999", "-0", "9223372036854775808", "-9223372036854775809", "NaN", "1_000");

    private Fuzzing() {
    }

    /**
     * A theory of {@code examples} examples for {@code what}, seeded as the class comment says; the seed is
     * printed first so that even a hang names it. Shrinking is capped by {@code shrinkCycles}: each cycle reruns
     * the property, which is a network round trip in the end-to-end tests.
     */
    public static QuickTheory theory(String what, int examples, int shrinkCycles) {
        String property = System.getProperty("lockscope.fuzz.seed");
        long seed = property == null ? what.hashCode()
                : property.equals("random") ? System.nanoTime() : Long.parseLong(property);
        System.out.println("fuzz " + what + ": seed " + seed + ", " + examples
                + " examples (rerun with -Dlockscope.fuzz.seed=" + seed + ")");
        return QuickTheory.qt().withFixedSeed(seed).withExamples(examples).withShrinkCycles(shrinkCycles);
    }

    /** Random text of at most {@code maxLength} chars: mostly printable ASCII and {@link #TOKENS}, some any char. */
    public static Gen<String> text(int maxLength) {
        Gen<String> piece = Generate.frequency(List.of(
                Pair.of(5, Generate.characters(0x20, 0x7e).map(c -> String.valueOf(c))),
                Pair.of(3, Generate.pick(TOKENS)),
                Pair.of(2, Generate.characters(0, 0xffff).map(c -> String.valueOf(c)))));
        return lists().of(piece).ofSizeBetween(0, maxLength).map(pieces -> {
            String s = String.join("", pieces);
            return s.length() > maxLength ? s.substring(0, maxLength) : s;
        });
    }

    /** A valid input from {@code valid} broken by one to three {@link Edit}s. */
    public static Gen<Input> mutants(Gen<String> valid) {
        return valid.zip(lists().of(edits()).ofSizeBetween(1, 3), Input::new);
    }

    /** Either a {@link #mutants mutant} of {@code valid} (in {@code mutantPercent}% of examples) or random text. */
    public static Gen<Input> mutatedOrRandom(Gen<String> valid, int mutantPercent, int maxRandomLength) {
        return Generate.frequency(List.of(
                Pair.of(mutantPercent, mutants(valid)),
                Pair.of(100 - mutantPercent, text(maxRandomLength).map(t -> new Input(t, List.of())))));
    }

    private static Gen<Edit> edits() {
        Gen<String> payload = Generate.frequency(List.of(Pair.of(3, Generate.pick(TOKENS)), Pair.of(1, text(12))));
        return Generate.enumValues(Edit.Kind.class)
                .zip(integers().between(0, 100_000), integers().between(0, 2_999), payload, Edit::new);
    }

    /** A property that may throw, as end-to-end ones do (sockets, HTTP): any exception falsifies it. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T example) throws Exception;
    }

    /** {@code property} as QuickTheories' {@code checkAssert} takes it, checked exceptions wrapped. */
    public static <T> Consumer<T> checking(Property<T> property) {
        return example -> {
            try {
                property.check(example);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.toString(), e);
            }
        };
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

    /**
     * A fuzzed input: a valid or random text and the edits that break it. Prints as the resulting text, then how
     * it was made, which is what a failure report shows.
     */
    public record Input(String origin, List<Edit> edits) {
        public String text() {
            String s = origin;
            for (Edit e : edits) {
                s = e.apply(s);
            }
            return s;
        }

        @Override
        public String toString() {
            return edits.isEmpty() ? origin : text() + "   <- "
                    + edits.stream().map(Edit::toString).collect(Collectors.joining(", ")) + " of " + origin;
        }
    }

    /**
     * One way of breaking a text, with everything random about it drawn up front: {@code at} is taken modulo the
     * text's length, {@code n} sizes the edit, {@code payload} is what gets spliced in.
     */
    public record Edit(Kind kind, int at, int n, String payload) {
        public enum Kind { TRUNCATE, SPLICE, DELETE_RUN, FLIP_BIT, DUPLICATE_RUN, NEST_DEEPLY, BREAK_NUMBER, RENAME_WORD }

        public String apply(String s) {
            int i = s.isEmpty() ? 0 : at % s.length();
            return switch (kind) {
                case TRUNCATE -> s.substring(0, i);
                case SPLICE -> s.substring(0, i) + payload + s.substring(i);
                case DELETE_RUN -> s.substring(0, i) + s.substring(Math.min(s.length(), i + 1 + n % 8));
                case FLIP_BIT -> s.isEmpty() ? s : s.substring(0, i) + (char) (s.charAt(i) ^ (1 << n % 8)) + s.substring(i + 1);
                case DUPLICATE_RUN -> s.substring(0, i) + s.substring(i, Math.min(s.length(), i + n % 40)).repeat(2 + n / 40 % 4)
                        + s.substring(i);
                case NEST_DEEPLY -> "[".repeat(1 + n) + s;
                case BREAK_NUMBER -> s.replaceFirst("-?[0-9]+", NUMBERS.get(n % NUMBERS.size()));
                case RENAME_WORD -> s.replaceFirst("\"[a-zA-Z]+\"", Matcher.quoteReplacement("\"" + payload.replace("\"", "") + "\""));
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case TRUNCATE, FLIP_BIT, DELETE_RUN, DUPLICATE_RUN -> kind + "@" + at + "/" + n;
                case NEST_DEEPLY, BREAK_NUMBER -> kind + "/" + n;
                case SPLICE, RENAME_WORD -> kind + "@" + at + "'" + payload + "'";
            };
        }
    }
}
