package dev.lockscope.samples;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual threads that each load a plugin whose class initializer blocks (it "fetches its settings", a sleep).
 * Blocking inside a class initializer pins the virtual thread to its carrier even on JDK 24+ (JEP 491 lifted
 * pinning for synchronized, not for class initialization), so a handful of carriers serve thousands of threads
 * one sleep at a time. Fixed: the initializer only stores a reference; the blocking fetch happens on first use,
 * outside {@code <clinit>}. Needs JDK 21+.
 */
final class Pinning implements Sample {
    private final int threads;
    private final long blockMs;
    private final boolean fixed;
    private final AtomicLong loaded = new AtomicLong();
    private final Method startVirtualThread;

    Pinning(SampleOptions o) {
        threads = o.intValue("threads", 200, 1);
        blockMs = o.longValue("block", 30);
        fixed = o.fixed();
        try {
            startVirtualThread = Thread.class.getMethod("startVirtualThread", Runnable.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("needs JDK 21+ (virtual threads); this is " + Runtime.version());
        }
        System.setProperty("lockscope.sample.pinning.blockMs", Long.toString(blockMs));
    }

    @Override
    public String describe() {
        return threads + " virtual threads loading plugins whose initializer blocks " + blockMs + "ms"
                + (fixed ? " (fixed: blocking moved out of <clinit>)" : "");
    }

    @Override
    public void start() {
        Thread driver = new Thread(() -> {
            while (true) {
                for (int i = 0; i < threads; i++) {
                    try {
                        startVirtualThread.invoke(null, (Runnable) this::loadPlugin);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
                Sleep.millis(1000);
            }
        }, "plugin-loader");
        driver.setDaemon(true);
        driver.start();
    }

    /** Each call loads the plugin class in a fresh loader, so its initializer runs again. */
    private void loadPlugin() {
        try {
            ClassLoader fresh = new PluginLoader(getClass().getClassLoader());
            Class<?> plugin = Class.forName(
                    fixed ? LazyPlugin.class.getName() : BlockingPlugin.class.getName(), true, fresh);
            if (fixed) {
                plugin.getMethod("settings").invoke(null);
            }
            loaded.incrementAndGet();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String report() {
        return "pinning: plugins loaded=" + loaded.get();
    }

    /** Defines the plugin classes itself (child-first), so each loader initialises its own copy. */
    private static final class PluginLoader extends ClassLoader {
        PluginLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.endsWith("Plugin")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (var in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] b = in.readAllBytes();
                        c = defineClass(name, b, 0, b.length);
                    } catch (java.io.IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }
}
