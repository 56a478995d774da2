package dev.lockscope.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point named by the agent jar's manifest ({@code Premain-Class} and {@code Agent-Class}).
 *
 * <p>Compiled for Java 8 (see agent/core/pom.xml) so that an older JVM can load it and hear, in one line,
 * that lockscope needs 17+, instead of failing to start the application. It does as little as possible:
 * checks the platform, then hands over to {@link AgentRuntime} by reflection. It never throws: a failing
 * agent must never stop the application.
 */
public final class AgentMain {
    private AgentMain() {}

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    private static void start(String args, Instrumentation inst, boolean dynamic) {
        try {
            String missing = missingPlatformPart();
            if (missing != null) {
                System.err.println("lockscope: agent disabled: " + missing + "; the application runs without it");
                return;
            }
            Class.forName("dev.lockscope.agent.AgentRuntime")
                    .getMethod("start", String.class, Instrumentation.class, boolean.class)
                    .invoke(null, args, inst, dynamic);
        } catch (Throwable t) {
            Throwable cause = t.getCause() != null ? t.getCause() : t;
            System.err.println("lockscope: agent failed to start (" + cause + "); the application runs without it");
        }
    }

    /** Null when this JVM can run the agent, otherwise what it lacks, in words. */
    static String missingPlatformPart() {
        String spec = System.getProperty("java.specification.version", "0");
        int feature;
        try {
            feature = spec.startsWith("1.") ? Integer.parseInt(spec.substring(2)) : Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            feature = 0;
        }
        if (feature < 17) {
            return "this JVM is Java " + spec + ", lockscope needs Java 17 or newer";
        }
        if (!present("java.net.http.WebSocket")) {
            return "this runtime has no java.net.http module (a jlink image?)";
        }
        return null;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (Throwable t) {
            return false;
        }
    }
}
