package dev.lockscope.samples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code java -jar lockscope-samples.jar <name> [--fixed] [--option=value ...]}: runs one sample application,
 * each broken on purpose, printing its symptom once a second. {@code --duration=S} stops it after S seconds.
 */
public final class SampleMain {
    /** Every sample, by the name used on the command line. */
    static final Map<String, Function<SampleOptions, Sample>> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("cache-stampede", CacheStampede::new);
        SAMPLES.put("saturated-pool", SaturatedPool::new);
        SAMPLES.put("deadlock", Deadlock::new);
        SAMPLES.put("hot-lock", HotLock::new);
        SAMPLES.put("starvation", Starvation::new);
        SAMPLES.put("pool-deadlock", PoolDeadlock::new);
        SAMPLES.put("pinning", Pinning::new);
        SAMPLES.put("cpu-burn", CpuBurn::new);
        SAMPLES.put("connection-pool", ConnectionPoolExhaustion::new);
        SAMPLES.put("common-pool", CommonPoolStarvation::new);
        SAMPLES.put("event-loop", BlockedEventLoop::new);
        SAMPLES.put("gc-contention", GcAmplifiedContention::new);
    }

    private SampleMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !SAMPLES.containsKey(args[0])) {
            System.err.println(args.length == 0 ? "no sample named" : "unknown sample '" + args[0] + "'");
            System.err.println("usage: java -jar lockscope-samples.jar <sample> [--fixed] [--option=value ...]");
            System.err.println("samples: " + String.join(", ", SAMPLES.keySet()));
            System.exit(2);
        }
        SampleOptions options;
        Sample sample;
        try {
            options = SampleOptions.parse(args);
            sample = SAMPLES.get(args[0]).apply(options);
            options.rejectUnused();
        } catch (IllegalArgumentException e) {
            System.err.println(args[0] + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(args[0] + (options.fixed() ? " (fixed: " + options.fixedVariant() + ")" : " (broken)")
                + " started, pid " + ProcessHandle.current().pid() + ": " + sample.describe());
        sample.start();
        long duration = options.longValue("duration", 0);
        long started = System.currentTimeMillis();
        while (duration == 0 || System.currentTimeMillis() - started < duration * 1000) {
            Thread.sleep(1000);
            System.out.println(sample.report());
        }
        System.exit(0);
    }
}
