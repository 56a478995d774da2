package dev.lockscope.agent.profile;

import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;

/**
 * The fallback engine: a JDK Flight Recorder recording with the events that match the request. Used when
 * async-profiler cannot load (another platform, another copy already in the process) or the agent option
 * {@code profiler=jfr} asks for it.
 *
 * <p>cpu uses {@code jdk.ExecutionSample} (Java frames only, threads running Java code); wall has no JFR
 * equivalent and is approximated by execution samples plus native-method samples (threads blocked in Java
 * code are not sampled); lock uses {@code jdk.JavaMonitorEnter} and {@code jdk.ThreadPark} above the
 * threshold; alloc uses {@code jdk.ObjectAllocationSample}.
 */
final class JfrEngine implements Engine {
    private Recording recording;
    private Path file;

    @Override
    public String name() {
        return "jfr";
    }

    @Override
    public synchronized void start(ProfileRequest r, Path jfrFile) {
        Recording rec = new Recording();
        rec.setName("lockscope-profile");
        rec.setToDisk(true);
        Duration period = Duration.ofMillis(r.intervalMs());
        switch (r.event()) {
            case "cpu" -> rec.enable("jdk.ExecutionSample").withPeriod(period);
            case "wall" -> {
                rec.enable("jdk.ExecutionSample").withPeriod(period);
                rec.enable("jdk.NativeMethodSample").withPeriod(period);
            }
            case "lock" -> enableLock(rec, r);
            case ProfileRequest.CPU_AND_LOCK -> {
                rec.enable("jdk.ExecutionSample").withPeriod(period);
                enableLock(rec, r);
            }
            case "alloc" -> rec.enable("jdk.ObjectAllocationSample").with("throttle", "1000/s").withStackTrace();
            default -> throw new IllegalArgumentException(r.event());
        }
        rec.start();
        recording = rec;
        file = jfrFile;
    }

    private static void enableLock(Recording rec, ProfileRequest r) {
        Duration threshold = Duration.ofMillis(r.thresholdMs());
        rec.enable("jdk.JavaMonitorEnter").withThreshold(threshold).withStackTrace();
        rec.enable("jdk.ThreadPark").withThreshold(threshold).withStackTrace();
    }

    @Override
    public synchronized void stop() throws Exception {
        Recording rec = recording;
        recording = null;
        if (rec == null) {
            return;
        }
        try {
            rec.stop();
            rec.dump(file);
        } finally {
            rec.close();
        }
    }
}
