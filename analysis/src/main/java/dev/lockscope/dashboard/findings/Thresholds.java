package dev.lockscope.dashboard.findings;

/**
 * Detector thresholds, each overridable on the dashboard's command line as a system property
 * {@code -Dlockscope.findings.<name>=<value>} (for example {@code -Dlockscope.findings.hotLock.minSerialFraction=0.5}).
 * Read once at start-up; the defaults and the reason for each live next to the constant that uses it.
 */
final class Thresholds {
    static final String PREFIX = "lockscope.findings.";

    private Thresholds() {}

    static double number(String name, double fallback) {
        String v = System.getProperty(PREFIX + name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PREFIX + name + "=" + v + " is not a number");
        }
    }

    static long whole(String name, long fallback) {
        return Math.round(number(name, fallback));
    }
}
