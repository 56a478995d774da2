/**
 * JMH benchmarks of the agent's hot paths, each run with and without the agent by
 * {@code scripts/bench} (see docs/PERFORMANCE.md). Never part of the test suite.
 */
package dev.lockscope.bench;
