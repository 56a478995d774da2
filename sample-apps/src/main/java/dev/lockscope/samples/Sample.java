package dev.lockscope.samples;

/** A sample application: starts its threads, then reports its symptom in one line once a second. */
interface Sample {
    /** The parameters in force, printed once at start. */
    String describe();

    void start();

    /** One line: what the user would watch (throughput, latency, queue depth). Resets per-second counters. */
    String report();
}
