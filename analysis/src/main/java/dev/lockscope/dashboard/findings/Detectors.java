package dev.lockscope.dashboard.findings;

import dev.lockscope.dashboard.threads.ThreadCaptures;
import java.util.List;

/** Every detector the dashboard runs. */
public final class Detectors {
    private Detectors() {}

    /**
     * @param windowMs how much recent data windowed detectors judge ({@code --findings-window})
     * @param captures thread dumps and deadlock reports
     */
    public static List<Detector> all(long windowMs, ThreadCaptures captures) {
        return List.of(new DeadlockDetector(captures), new StampedeDetector(windowMs), new HotLockDetector(windowMs),
                new StarvationDetector(windowMs), new SaturatedPoolDetector(windowMs), new PoolDeadlockDetector(windowMs),
                new PinningDetector(windowMs), new ResourcePoolDetector(windowMs),
                new CommonPoolStarvationDetector(windowMs), new BlockedEventLoopDetector(windowMs),
                new GcContentionDetector(windowMs));
    }
}
