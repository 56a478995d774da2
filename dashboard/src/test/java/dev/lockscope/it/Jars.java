package dev.lockscope.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The real build outputs the end-to-end tests run: the shaded agent and the sample apps. */
public final class Jars {
    private Jars() {}

    public static final Path ROOT = Paths.get(System.getProperty("user.dir")).getParent();
    public static final Path AGENT = ROOT.resolve("agent/target/lockscope-agent.jar");
    public static final Path SAMPLES = ROOT.resolve("sample-apps/target/lockscope-samples.jar");
    /** Benchmarks and harness programs, among them the agent swarm that speaks the real protocol. */
    public static final Path BENCHMARKS = ROOT.resolve("benchmarks/target/lockscope-benchmarks.jar");
    /** Temurin 25, for virtual-thread and JDK 21+ behaviour. */
    public static final Path JDK25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64");

    public static Path java(Path javaHome) {
        return javaHome.resolve("bin/java");
    }

    public static Path defaultJavaHome() {
        return Paths.get(System.getProperty("java.home"));
    }

    static void requireBuilt() {
        if (!Files.exists(AGENT) || !Files.exists(SAMPLES)) {
            throw new IllegalStateException("build the agent and samples first (mvn package): " + AGENT + ", " + SAMPLES);
        }
    }
}
