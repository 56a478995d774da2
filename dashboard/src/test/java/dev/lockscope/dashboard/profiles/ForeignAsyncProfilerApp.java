package dev.lockscope.dashboard.profiles;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Test program standing in for an application whose own agent (a continuous profiler, an APM agent) already
 * runs async-profiler: it loads async-profiler from its own class loader (the classes and library in the jar
 * named by args[0]), starts it, burns CPU, and prints the profiler's status once a second.
 */
public final class ForeignAsyncProfilerApp {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[0]).toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Class<?> ap = loader.loadClass("one.profiler.AsyncProfiler");
        Object profiler = ap.getMethod("getInstance").invoke(null);
        Method execute = ap.getMethod("execute", String.class);
        System.out.println("foreign: " + String.valueOf(execute.invoke(profiler, "start,event=itimer,interval=10ms")).trim());
        Thread burner = new Thread(() -> {
            while (true) {
                long h = 1;
                for (long i = 0; i < 1_000_000; i++) {
                    h = 31 * h + i;
                }
                sink += h;
            }
        }, "foreign-burner");
        burner.setDaemon(true);
        burner.start();
        while (true) {
            Thread.sleep(1000);
            System.out.println("foreign status: " + String.valueOf(execute.invoke(profiler, "status")).trim().replace('\n', ' '));
        }
    }
}
