package dev.lockscope.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonRoundTripTest {

    @Test
    void writtenValuesParseBackUnchanged() {
        String hostile = "</script><img src=x onerror=alert(1)> \"quoted\" back\\slash\n\t\u0001 ünïcödé 🎉";
        String json = new JsonWriter().beginObject()
                .field("s", hostile).field("n", 42).field("d", 1.5).field("b", true).name("nil").nullValue()
                .field("list", List.of(1, "two", Map.of("three", 3)))
                .endObject().toString();
        Map<String, Object> back = JsonReader.parseObject(json, 10_000);
        assertThat(back.get("s")).isEqualTo(hostile);
        assertThat(back.get("n")).isEqualTo(42L);
        assertThat(back.get("d")).isEqualTo(1.5);
        assertThat(back.get("b")).isEqualTo(true);
        assertThat(back).containsKey("nil");
        assertThat(back.get("nil")).isNull();
        assertThat(back.get("list")).isEqualTo(List.of(1L, "two", Map.of("three", 3L)));
    }

    @Test
    void htmlSignificantCharactersNeverAppearRawInTheOutput() {
        String json = new JsonWriter().value("<b>&</b>").toString();
        assertThat(json).doesNotContain("<").doesNotContain(">").doesNotContain("&");
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        assertThat(new JsonWriter().value(Double.NaN).toString()).isEqualTo("null");
    }

    @Test
    void malformedInputIsRejectedWithItsOffset() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1,}", 100)).hasMessageContaining("offset");
        assertThatThrownBy(() -> JsonReader.parse("[1] x", 100)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> JsonReader.parse("\"abc", 100)).hasMessageContaining("end of input");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":tru}", 100)).hasMessageContaining("unexpected token");
        assertThatThrownBy(() -> JsonReader.parse("\"\\x\"", 100)).hasMessageContaining("bad escape");
    }

    @Test
    void depthAndLengthAreBounded() {
        assertThatThrownBy(() -> JsonReader.parse("[".repeat(1000) + "]".repeat(1000), 10_000))
                .hasMessageContaining("nesting deeper than 64");
        assertThatThrownBy(() -> JsonReader.parse("\"" + "x".repeat(200) + "\"", 100))
                .hasMessageContaining("exceeds the limit of 100");
    }

    @Test
    void onlyJsonIsAcceptedAndLongsKeepEveryDigit() {
        // both found by AgentParsersFuzzTest (dashboard module), checked here deterministically
        assertThatThrownBy(() -> JsonReader.parse("\"\\u+041\"", 100)).hasMessageContaining("bad \\u escape");
        assertThatThrownBy(() -> JsonReader.parse("01", 100)).hasMessageContaining("bad number '01'");
        assertThatThrownBy(() -> JsonReader.parse("1.", 100)).hasMessageContaining("bad number '1.'");
        assertThatThrownBy(() -> JsonReader.parse("-.5", 100)).hasMessageContaining("bad number");
        assertThat(JsonReader.parse("-2199716006925629577", 100)).isEqualTo(-2199716006925629577L);
        assertThat(JsonReader.parse("\"\\u00e9\\u00E9\"", 100)).isEqualTo("\u00e9\u00e9");
    }
}
