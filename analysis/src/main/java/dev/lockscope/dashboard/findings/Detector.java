package dev.lockscope.dashboard.findings;

import dev.lockscope.dashboard.jvms.JvmSession;
import java.util.List;

/**
 * Turns one JVM's streams into detections. Called after every sample (about once a second) with the sample's
 * own timestamp as "now", so the outcome depends only on the data, never on the wall clock. Detectors must
 * not know the sample apps: they reason about locks, pools and threads in general.
 */
public interface Detector {
    /** The finding kind this detector produces, e.g. {@code deadlock}, {@code saturated-pool}. */
    String kind();

    List<Detection> detect(JvmSession jvm, long nowMs);
}
