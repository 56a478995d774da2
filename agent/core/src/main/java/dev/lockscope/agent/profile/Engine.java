package dev.lockscope.agent.profile;

import java.nio.file.Path;

/** A profiler that records one profile at a time into a JFR file. */
interface Engine {
    /** {@code async-profiler} or {@code jfr}: reported with every result. */
    String name();

    /** Starts recording {@code request}; the file is complete only after {@link #stop()} returned. */
    void start(ProfileRequest request, Path jfrFile) throws Exception;

    /** Stops the recording and finishes the file. Safe to call when not started. */
    void stop() throws Exception;
}
