package dev.lockscope.dashboard.findings;

/** How urgent a finding is; the UI sorts and colours by it (CRITICAL first). */
public enum Severity {
    CRITICAL, WARNING, INFO
}
