package dev.lockscope.dashboard.findings;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a detector sees in one evaluation. {@code key} names the problem instance (the lock, the pool, the
 * cycle) so successive evaluations update one finding rather than opening new ones.
 *
 * @param evidence the locks, threads, pools, stacks and window that support it, plus {@code links}: views
 *                 of the JVM page to open ({@code [{tab, selection, label}]})
 */
public record Detection(String key, Severity severity, String title, String explanation, String fix,
                        ObjectNode evidence) {}
