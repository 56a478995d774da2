package dev.lockscope.dashboard.findings;

import java.util.List;

/** Every detector the dashboard runs. */
public final class Detectors {
    private Detectors() {}

    /** @param windowMs how much recent data windowed detectors judge ({@code --findings-window}) */
    public static List<Detector> all(long windowMs) {
        return List.of(new PinningDetector(windowMs));
    }
}
