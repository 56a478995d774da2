package dev.lockscope.it.programs;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An application start-up, as the JVM sees it: loads JDK classes it had not loaded (from {@code java.desktop},
 * {@code java.xml} and {@code java.sql}, without initialising them), 40 at a time with a 40 ms sleep between, for
 * {@code <ms>} (first argument), then prints {@code BURST_END <JVM uptime ms> classes=<n>} and idles until killed.
 */
public final class ClassLoadingBurst {
    public static void main(String[] args) throws Exception {
        long burstMs = Long.parseLong(args[0]);
        System.out.println("started");
        long end = System.nanoTime() + burstMs * 1_000_000;
        int loaded = 0;
        // Names are read as they are loaded: reading them all first would be a pause in the class loading.
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        for (String module : List.of("java.desktop", "java.xml", "java.sql")) {
            Path root = jrt.getPath("/modules", module);
            try (Stream<Path> files = Files.walk(root)) {
                Iterator<String> names = files.map(p -> root.relativize(p).toString())
                        .filter(n -> n.endsWith(".class") && !n.contains("-") && !n.startsWith("META-INF"))
                        .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                        .iterator();
                while (names.hasNext() && System.nanoTime() < end) {
                    try {
                        Class.forName(names.next(), false, ClassLoader.getSystemClassLoader());
                        if (++loaded % 40 == 0) {
                            Thread.sleep(40);
                        }
                    } catch (LinkageError | ClassNotFoundException e) {
                        // a class that cannot be loaded here (a missing optional dependency) is simply skipped
                    }
                }
            }
        }
        System.out.println("BURST_END " + ManagementFactory.getRuntimeMXBean().getUptime() + " classes=" + loaded
                + (System.nanoTime() < end ? " (ran out of classes)" : ""));
        Thread.sleep(Long.MAX_VALUE);
    }
}
