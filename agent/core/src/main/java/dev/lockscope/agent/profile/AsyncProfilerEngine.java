package dev.lockscope.agent.profile;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import one.profiler.AsyncProfiler;

/**
 * async-profiler through its Java API, writing JFR output.
 *
 * <p>Its native library can be loaded only once per process, and only one profiling session runs in it at a
 * time. So before loading, {@link #open} looks for a copy someone else already has in the process (a
 * continuous profiler or APM agent, or {@code -agentpath}): a mapped library whose name mentions
 * {@code asyncProfiler} in {@code /proc/self/maps}, or the {@code one.profiler.AsyncProfiler} class defined
 * by another class loader. When it finds one it declines with the reason, and the caller uses JFR instead of
 * breaking the other user.
 *
 * <p>The library for this platform is extracted from the agent jar to a temporary file named
 * {@code lockscope-asyncProfiler-*.so} (so our own copy is recognisable in the maps), loaded, and deleted.
 */
final class AsyncProfilerEngine implements Engine {
    private static final String OWN_PREFIX = "lockscope-asyncProfiler-";

    private final AsyncProfiler profiler;
    private boolean running;

    private AsyncProfilerEngine(AsyncProfiler profiler) {
        this.profiler = profiler;
    }

    /** Thrown by {@link #open} with the reason async-profiler cannot be used here. */
    static final class Unavailable extends Exception {
        Unavailable(String reason) {
            super(reason);
        }
    }

    @Override
    public String name() {
        return "async-profiler";
    }

    /** Loads async-profiler, or says why not. */
    static AsyncProfilerEngine open(Instrumentation inst) throws Unavailable {
        String tag = platformTag();
        if (tag == null) {
            throw new Unavailable("async-profiler has no library for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch"));
        }
        String other = foreignCopy(inst);
        if (other != null) {
            throw new Unavailable("async-profiler is already loaded in this process by someone else (" + other
                    + "); lockscope leaves it alone");
        }
        Path lib = null;
        try (InputStream in = AsyncProfiler.class.getResourceAsStream("/" + tag + "/libasyncProfiler.so")) {
            if (in == null) {
                throw new Unavailable("the agent jar has no async-profiler library for " + tag);
            }
            lib = Files.createTempFile(OWN_PREFIX, ".so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            AsyncProfiler p = AsyncProfiler.getInstance(lib.toAbsolutePath().toString());
            String version = p.getVersion();
            if (version == null || version.isBlank()) {
                throw new Unavailable("async-profiler loaded but reports no version");
            }
            return new AsyncProfilerEngine(p);
        } catch (Unavailable u) {
            throw u;
        } catch (Throwable t) {
            throw new Unavailable("async-profiler could not load: " + t);
        } finally {
            if (lib != null) {
                try {
                    Files.deleteIfExists(lib); // the mapping stays valid; nothing is left on disk
                } catch (IOException e) {
                    lib.toFile().deleteOnExit();
                }
            }
        }
    }

    /** A description of another async-profiler in this process, or null if there is none. */
    static String foreignCopy(Instrumentation inst) {
        Path maps = Paths.get("/proc/self/maps");
        if (Files.isReadable(maps)) {
            try {
                for (String line : Files.readAllLines(maps)) {
                    int slash = line.indexOf('/');
                    if (slash < 0) {
                        continue;
                    }
                    String path = line.substring(slash);
                    String file = path.substring(path.lastIndexOf('/') + 1);
                    if (file.toLowerCase(Locale.ROOT).contains("asyncprofiler") && !file.startsWith(OWN_PREFIX)) {
                        return "native library " + path.trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // unreadable maps: fall through to the class check
            }
        }
        if (inst != null) {
            ClassLoader ours = AsyncProfiler.class.getClassLoader();
            for (Class<?> c : inst.getAllLoadedClasses()) {
                if (c.getName().equals("one.profiler.AsyncProfiler") && c.getClassLoader() != ours) {
                    return "class one.profiler.AsyncProfiler defined by " + c.getClassLoader();
                }
            }
        }
        return null;
    }

    static String platformTag() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return "linux-x64";
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return "linux-arm64";
            }
            return null;
        }
        return os.contains("mac") ? "macos" : null;
    }

    @Override
    public synchronized void start(ProfileRequest r, Path jfrFile) throws Exception {
        String status = profiler.execute("status");
        if (status != null && !status.contains("not active")) {
            // Shared class with the application, which is profiling right now: do not take it over.
            throw new IllegalStateException("busy: async-profiler in this process is already profiling (" + status.trim() + ")");
        }
        String file = jfrFile.toAbsolutePath().toString();
        if (file.contains(",")) {
            throw new IllegalStateException("temporary directory path contains a comma: " + file);
        }
        String events = switch (r.event()) {
            case "cpu" -> "event=cpu,interval=" + r.intervalMs() + "ms";
            case "wall" -> "event=wall,interval=" + r.intervalMs() + "ms";
            case "lock" -> "lock=" + r.thresholdMs() + "ms";
            case "alloc" -> "alloc=" + r.allocBytes();
            case ProfileRequest.CPU_AND_LOCK -> "event=cpu,interval=" + r.intervalMs() + "ms,lock=" + r.thresholdMs() + "ms";
            default -> throw new IllegalArgumentException(r.event());
        };
        try {
            profiler.execute("start," + events + ",jfr,file=" + file);
        } catch (IllegalStateException e) {
            if (!events.startsWith("event=cpu,")) {
                throw e;
            }
            // perf_events refused (container, paranoid kernel): the timer-based cpu sampler needs no permission.
            profiler.execute("start," + events.replace("event=cpu,", "event=itimer,") + ",jfr,file=" + file);
        }
        running = true;
    }

    @Override
    public synchronized void stop() throws Exception {
        if (running) {
            running = false;
            profiler.execute("stop");
        }
    }
}
