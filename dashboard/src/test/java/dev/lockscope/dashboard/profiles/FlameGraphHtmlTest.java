package dev.lockscope.dashboard.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The data section written into async-profiler's viewer, and the collapsed-stack parser behind it. */
class FlameGraphHtmlTest {
    private static Collapsed parse(String text) {
        return Collapsed.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void framesBecomeOneCallEachWithWidthsFromTheSamplesAndTypesFromTheAnnotations() {
        Collapsed c = parse("a.Main.main_[0];a.Main.work_[j] 3\na.Main.main_[0];a.Main.idle_[i] 1\n");
        String html = FlameGraphHtml.render("CPU profile", c);
        // pool: 'all', then the frames in depth-first order; each entry starts with (char) (32 + length of the
        // prefix shared with the previous one): "a" from "all" ('!'), then "a.Main." (7: an escaped quote)
        assertThat(html).contains("const cpool = [\n'all',\n'!.Main.main',\n'\\'idle',\n'\\'work'\n];");
        // f(key = index << 3 | type, level, left delta, width)
        assertThat(html).contains("f(3,0,0,4)\n" // all: native colour, as async-profiler draws it
                + "f(8,1,0,4)\n"                 // main: interpreted (type 0)
                + "f(18,2,0,1)\n"                // idle: inlined (type 2), 1 sample
                + "f(25,2,1,3)\n");              // work: JIT (type 1), 3 samples, right of idle
        assertThat(html).contains("Array(3)").contains("height: 48px").contains("<h1>CPU profile</h1>");
    }

    @Test
    void frameNamesCannotEndTheScriptOrInjectMarkup() {
        Collapsed c = parse("[</script><img src=x onerror=alert(1)>];it's\\a 2\n");
        String html = FlameGraphHtml.render("title <b>", c);
        assertThat(html).doesNotContain("</script><img").doesNotContain("<img").doesNotContain("<b>");
        assertThat(html).contains("\\x3c/script\\x3e\\x3cimg src=x onerror=alert(1)\\x3e").contains("it\\'s\\\\a");
        assertThat(html).contains("<h1>title &lt;b&gt;</h1>");
    }

    @Test
    void differentialGraphColoursByChangeInShareAndNamesTheChange() {
        Collapsed before = parse("main;slow 9\nmain;fast 1\n");
        Collapsed after = parse("main;slow 1\nmain;fast 9\n");
        String html = FlameGraphHtml.renderDiff("diff", before, after);
        assertThat(html).contains("fast [+80.0 pp]").contains("slow [-80.0 pp]");
        assertThat(html).contains("[0xe66100, 0, 0, 0]"); // the grew-a-lot colour replaced the frame-type palette
    }

    @Test
    void malformedCollapsedLinesAreRejectedWithTheLineNumber() {
        assertThatThrownBy(() -> parse("a;b 1\na;b many\n")).hasMessageContaining("line 2");
        assertThat(parse("int foo<unsigned long*>;bar 5\n").root.total).isEqualTo(5);
    }
}
