package dev.lockscope.bench;

import java.util.List;

/** Mean and two-sided 95 % confidence interval (Student's t) of a small sample, e.g. per-pair ratios. */
public record Stats(int n, double mean, double low, double high) {
    /** t quantile 0.975 for 1..30 degrees of freedom; 1.96 beyond. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
            2.056, 2.052, 2.048, 2.045, 2.042};

    public static Stats of(List<Double> values) {
        int n = values.size();
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (n < 2) {
            return new Stats(n, mean, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double half = (n - 1 <= T975.length ? T975[n - 2] : 1.96) * Math.sqrt(ss / (n - 1) / n);
        return new Stats(n, mean, mean - half, mean + half);
    }
}
