package dev.lockscope.dashboard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.agent.AgentOptions;
import dev.lockscope.it.Fuzz;
import dev.lockscope.protocol.JsonReader;
import dev.lockscope.protocol.JsonWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's own parsers against random and mutated input: its strict JSON reader (what it parses every
 * dashboard request with) and its option parser ({@code -javaagent:...=options}, {@code attach <pid> options}).
 * Each must answer with a value or its one documented failure, never another exception or a hang.
 */
class AgentParsersFuzzTest {
    private static final int TRIES = 2000;
    /** Jackson in its strict default mode is the reference for what JSON is. */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final List<String> SEEDS = List.of(
            "{\"type\":\"request\",\"id\":\"r1\",\"command\":\"threaddump\",\"args\":{\"format\":\"both\",\"lockedSynchronizers\":false}}",
            "{\"type\":\"request\",\"id\":\"r2\",\"command\":\"profile.start\",\"args\":{\"event\":\"cpu\",\"durationMs\":30000,\"threads\":\"pool-1\"}}",
            "{\"type\":\"ack\",\"jvmId\":\"host:1:2\",\"protocol\":1}",
            "[1,-2.5e3,true,false,null,\"\\u00e9\\n\\\"\",{\"a\":[{}]}]",
            "{\"n\":9223372036854775807,\"d\":0.1,\"s\":\"\\ud83d\\ude00\"}");

    @Test
    void theJsonReaderAnswersEveryInputWithAValueOrAJsonExceptionAndAcceptsOnlyJson() {
        Fuzz fuzz = Fuzz.seeded("JsonReader");
        int accepted = 0;
        for (int i = 0; i < TRIES; i++) {
            String input = fuzz.chance(0.7) ? fuzz.mutate(fuzz.oneOf(SEEDS)) : fuzz.text(200);
            Object value;
            try {
                value = JsonReader.parse(input, 1 << 20);
            } catch (JsonReader.JsonException e) {
                assertThat(e.getMessage()).as("reason for rejecting %s", input).isNotBlank();
                continue;
            } catch (Throwable t) {
                throw new AssertionError("seed " + fuzz.seed() + ": JsonReader threw " + t + " for: " + input, t);
            }
            accepted++;
            try {
                STRICT.readTree(input);
            } catch (Exception e) {
                fail("seed %d: JsonReader accepted what is not JSON (%s): %s", fuzz.seed(), e.getMessage(), input);
            }
            assertThat(value).isNotInstanceOf(Throwable.class);
        }
        System.out.printf("JsonReader: %d inputs, %d accepted, every other one refused with a JsonException%n", TRIES, accepted);
    }

    @Test
    void whatTheAgentWritesItReadsBackUnchanged() {
        Fuzz fuzz = Fuzz.seeded("JsonWriter round trip");
        for (int i = 0; i < 300; i++) {
            Object value = randomValue(fuzz, 0);
            String json = new JsonWriter().value(value).toString();
            assertThat(JsonReader.parse(json, 1 << 22)).as("seed %d: %s", fuzz.seed(), json).isEqualTo(value);
        }
    }

    @Test
    void optionParsingNeverFailsAndReportsEveryPairItDoesNotTake() {
        Fuzz fuzz = Fuzz.seeded("AgentOptions");
        List<String> known = List.of("dashboard", "name", "token", "queue", "deadlockPeriod", "locks.instrument",
                "locks.longWait", "pools.timing", "profiler");
        String valid = "dashboard=ws://127.0.0.1:7070/agent,name=checkout,queue=64,locks.longWait=250ms,locks.instrument=false";
        for (int i = 0; i < TRIES; i++) {
            String args = fuzz.chance(0.6) ? fuzz.mutate(valid) : fuzz.text(120);
            AgentOptions options;
            try {
                options = AgentOptions.parse(args);
            } catch (Throwable t) {
                throw new AssertionError("seed " + fuzz.seed() + ": parse threw " + t + " for: " + args, t);
            }
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
                assertThat(taken || reported).as("seed %d: pair '%s' of '%s' neither taken nor reported", fuzz.seed(), pair, args).isTrue();
            }
            // Typed reads fall back and report instead of throwing.
            for (String key : known) {
                assertThatCode(() -> {
                    options.number(key, 7);
                    options.millis(key, 7);
                    options.flag(key, true);
                }).as("seed %d: typed read of %s in '%s'", fuzz.seed(), key, args).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void durationsAreNonNegativeMillisecondsOrAClearRefusal() {
        Fuzz fuzz = Fuzz.seeded("Durations");
        List<String> seeds = List.of("250ms", "2s", "5m", "0", "1500");
        for (int i = 0; i < TRIES; i++) {
            String v = fuzz.chance(0.7) ? fuzz.mutate(fuzz.oneOf(seeds)) : fuzz.text(12);
            try {
                assertThat(AgentOptions.Durations.parseMillis(v)).as("seed %d: '%s'", fuzz.seed(), v).isNotNegative();
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).isIn("not a duration (use e.g. 500ms, 2s, 1m)", "negative duration");
            }
        }
    }

    private static Object randomValue(Fuzz fuzz, int depth) {
        int kind = fuzz.nextInt(depth > 4 ? 5 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> fuzz.random().nextBoolean();
            case 2 -> fuzz.random().nextLong() >> fuzz.nextInt(64);
            case 3 -> fuzz.random().nextDouble() * Math.pow(10, fuzz.nextInt(20) - 10) + 0.5;
            case 4 -> fuzz.text(30);
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = fuzz.nextInt(5); i > 0; i--) {
                    list.add(randomValue(fuzz, depth + 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = fuzz.nextInt(5); i > 0; i--) {
                    map.put(fuzz.text(10), randomValue(fuzz, depth + 1));
                }
                yield map;
            }
        };
    }
}
