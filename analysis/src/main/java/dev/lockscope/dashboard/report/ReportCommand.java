package dev.lockscope.dashboard.report;

import dev.lockscope.dashboard.imports.ImportedJvm;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code report <files…> -o report.html}: reads thread dumps and JFR recordings another tool wrote about one JVM,
 * runs the findings engine on them and writes the self-contained HTML report. What could not be read is printed
 * (and shown at the top of the report); the exit status is 1 only when nothing at all could be read.
 */
public final class ReportCommand {
    public static final String USAGE = "usage: report <thread dump text | .jfr>... -o report.html\n"
            + "  several dumps of one JVM: give them in any order; they are sorted by the time each one names";

    private ReportCommand() {}

    /** Runs the command; returns the exit status (0 written, 1 nothing readable or cannot write, 2 usage). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        List<ImportedJvm.Input> inputs = new ArrayList<>();
        Path output = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-o") || a.equals("--output")) {
                if (i + 1 >= args.size()) {
                    err.println("report: -o needs a file name\n" + USAGE);
                    return 2;
                }
                output = Path.of(args.get(++i));
            } else if (a.startsWith("-")) {
                err.println("report: unknown option " + a + "\n" + USAGE);
                return 2;
            } else {
                inputs.add(new ImportedJvm.Input(a, Path.of(a)));
            }
        }
        if (inputs.isEmpty() || output == null) {
            err.println("report: " + (inputs.isEmpty() ? "no input files" : "no output (-o report.html)") + "\n" + USAGE);
            return 2;
        }
        ImportedJvm files = ImportedJvm.read(inputs);
        for (String p : files.problems()) {
            err.println("report: " + p);
        }
        if (files.isEmpty()) {
            err.println("report: nothing readable in " + String.join(", ", files.files()) + "; no report written");
            return 1;
        }
        OfflineJvm jvm = OfflineJvm.imported(files, OfflineJvm.DEFAULT_FINDINGS_WINDOW_MS);
        List<ReportWriter.FlameGraph> graphs = new ArrayList<>();
        byte[] cpu = files.cpuCollapsed();
        if (cpu != null) {
            graphs.add(new ReportWriter.FlameGraph("cpu", "CPU (JFR execution samples: " + files.cpuSamples() + ")", cpu));
        }
        try {
            Files.writeString(output, ReportWriter.html(jvm, graphs), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("report: cannot write " + output + ": " + e.getMessage());
            return 1;
        }
        int findings = jvm.findings().findings(jvm.session().id()).size();
        out.println("report: " + output + " (" + findings + " finding" + (findings == 1 ? "" : "s") + ", "
                + jvm.captures().captures(jvm.session().id()).size() + " thread dumps"
                + (files.problems().isEmpty() ? "" : ", " + files.problems().size() + " problems listed above") + ")");
        return 0;
    }
}
