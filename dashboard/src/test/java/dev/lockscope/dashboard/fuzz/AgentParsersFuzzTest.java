package dev.lockscope.dashboard.fuzz;

import static dev.lockscope.it.Fuzzing.mutatedOrRandom;
import static dev.lockscope.it.Fuzzing.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.agent.AgentOptions;
import dev.lockscope.it.Fuzzing;
import dev.lockscope.protocol.JsonReader;
import dev.lockscope.protocol.JsonWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The agent's own parsers against random and mutated input: its strict JSON reader (what it parses every
 * dashboard request with) and its option parser ({@code -javaagent:...=options}, {@code attach <pid> options}).
 * Each must answer with a value or its one documented failure, never another exception or a hang (a hang fails
 * the test after 60 s, on a separate thread so even a loop that ignores interrupts is caught).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AgentParsersFuzzTest {
    private static final int TRIES = 2000;
    /** Jackson in its strict default mode is the reference for what JSON is. */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Gen<String> VALID_JSON = Generate.pick(List.of(
            "{\"type\":\"request\",\"id\":\"r1\",\"command\":\"threaddump\",\"args\":{\"format\":\"both\",\"lockedSynchronizers\":false}}",
            "{\"type\":\"request\",\"id\":\"r2\",\"command\":\"profile.start\",\"args\":{\"event\":\"cpu\",\"durationMs\":30000,\"threads\":\"pool-1\"}}",
            "{\"type\":\"ack\",\"jvmId\":\"host:1:2\",\"protocol\":1}",
            "[1,-2.5e3,true,false,null,\"\\u00e9\\n\\\"\",{\"a\":[{}]}]",
            "{\"n\":9223372036854775807,\"d\":0.1,\"s\":\"\\ud83d\\ude00\"}"));
    /** Valid option strings: one to six well-formed pairs, as a user would write them. */
    private static final Gen<String> VALID_OPTIONS = lists().of(Generate.pick(List.of(
            "dashboard=ws://127.0.0.1:7070/agent", "name=checkout", "queue=64", "locks.longWait=250ms",
            "locks.instrument=false", "deadlockPeriod=2s", "pools.timing=true", "profiler=jfr", "token=s3cret")))
            .ofSizeBetween(1, 6).map(pairs -> String.join(",", pairs));
    private static final Gen<String> VALID_DURATIONS = Generate.pick(List.of("250ms", "2s", "5m", "0", "1500"));

    @Test
    void theJsonReaderAnswersEveryInputWithAValueOrAJsonExceptionAndAcceptsOnlyJson() {
        AtomicInteger tried = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        Fuzzing.theory("JsonReader", TRIES, 2000).forAll(mutatedOrRandom(VALID_JSON, 70, 200)).checkAssert(in -> {
            String input = in.text();
            tried.incrementAndGet();
            try {
                JsonReader.parse(input, 1 << 20);
            } catch (JsonReader.JsonException e) {
                assertThat(e.getMessage()).as("reason for rejecting %s", input).isNotBlank();
                return;
            }
            accepted.incrementAndGet();
            try {
                STRICT.readTree(input);
            } catch (Exception e) {
                fail("JsonReader accepted what is not JSON (%s): %s", e.getMessage(), input);
            }
        });
        System.out.printf("JsonReader: %d inputs, %d accepted, every other one refused with a JsonException%n", tried.get(), accepted.get());
    }

    @Test
    void whatTheAgentWritesItReadsBackUnchanged() {
        Fuzzing.theory("JsonWriter round trip", 300, 2000).forAll(jsonValues(0)).checkAssert(value -> {
            String json = new JsonWriter().value(value).toString();
            assertThat(JsonReader.parse(json, 1 << 22)).as(json).isEqualTo(value);
        });
    }

    @Test
    void optionParsingNeverFailsAndReportsEveryPairItDoesNotTake() {
        List<String> known = List.of("dashboard", "name", "token", "queue", "deadlockPeriod", "locks.instrument",
                "locks.longWait", "pools.timing", "profiler");
        Fuzzing.theory("AgentOptions", TRIES, 2000).forAll(mutatedOrRandom(VALID_OPTIONS, 60, 120)).checkAssert(in -> {
            String args = in.text();
            AgentOptions options = AgentOptions.parse(args);
            // Every non-blank pair is either taken (its key is known) or named in a problem.
            for (String pair : args.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq > 0 ? pair.substring(0, eq).trim() : null;
                boolean taken = key != null && options.has(key);
                boolean reported = options.problems().stream().anyMatch(p -> p.contains("'" + pair + "'")
                        || (key != null && p.contains("'" + key + "'")));
                assertThat(taken || reported).as("pair '%s' of '%s' neither taken nor reported", pair, args).isTrue();
            }
            // Typed reads fall back and report instead of throwing.
            for (String key : known) {
                assertThatCode(() -> {
                    options.number(key, 7);
                    options.millis(key, 7);
                    options.flag(key, true);
                }).as("typed read of %s in '%s'", key, args).doesNotThrowAnyException();
            }
        });
    }

    @Test
    void durationsAreNonNegativeMillisecondsOrAClearRefusal() {
        Fuzzing.theory("Durations", TRIES, 2000).forAll(mutatedOrRandom(VALID_DURATIONS, 70, 12)).checkAssert(in -> {
            String v = in.text();
            try {
                assertThat(AgentOptions.Durations.parseMillis(v)).as("'%s'", v).isNotNegative();
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).isIn("not a duration (use e.g. 500ms, 2s, 1m)", "negative duration");
            }
        });
    }

    /** What {@link JsonWriter} takes: null, booleans, longs, doubles, strings, lists and string-keyed maps. */
    private static Gen<Object> jsonValues(int depth) {
        List<Pair<Integer, Gen<Object>>> kinds = new ArrayList<>(List.of(
                Pair.of(1, Generate.constant((Object) null)),
                Pair.of(1, booleans().all().map(b -> (Object) b)),
                Pair.of(1, longs().all().zip(integers().between(0, 63), (l, shift) -> (Object) (l >> shift))),
                Pair.of(1, doubles().between(0, 1).zip(integers().between(-10, 9), (d, e) -> (Object) (d * Math.pow(10, e) + 0.5))),
                Pair.of(1, text(30).map(t -> (Object) t))));
        if (depth <= 4) {
            // Built lazily: the nested generators exist only when an example reaches that depth.
            Gen<Object> nested = r -> jsonValues(depth + 1).generate(r);
            kinds.add(Pair.of(1, lists().of(nested).ofSizeBetween(0, 4).map(l -> (Object) l)));
            kinds.add(Pair.of(1, lists().of(text(10).zip(nested, Pair::of)).ofSizeBetween(0, 4).map(entries -> {
                Map<String, Object> map = new LinkedHashMap<>();
                entries.forEach(e -> map.put(e._1, e._2));
                return (Object) map;
            })));
        }
        return Generate.frequency(kinds);
    }
}
