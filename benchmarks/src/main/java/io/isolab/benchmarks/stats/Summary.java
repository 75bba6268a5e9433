package io.isolab.benchmarks.stats;

import java.util.Arrays;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * The distribution of one cell's samples.
 *
 * @param n      samples
 * @param median 50th percentile
 * @param p95    95th percentile
 * @param p99    99th percentile
 * @param mean   arithmetic mean
 * @param stdev  sample standard deviation
 * @param cv     coefficient of variation, stdev / mean
 * @param min    smallest
 * @param max    largest
 */
public record Summary(int n, double median, double p95, double p99, double mean, double stdev, double cv,
                      double min, double max) {

    /** A cell whose coefficient of variation is above this is marked noisy. */
    public static final double NOISY_CV = 0.15;

    public static Summary of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        DescriptiveStatistics d = new DescriptiveStatistics(values);
        double mean = d.getMean();
        double stdev = values.length > 1 ? d.getStandardDeviation() : 0;
        return new Summary(values.length, percentile(values, 50), percentile(values, 95), percentile(values, 99),
                mean, stdev, mean == 0 ? 0 : stdev / Math.abs(mean), d.getMin(), d.getMax());
    }

    /**
     * The percentile by linear interpolation between order statistics (R-7, the default of R and NumPy),
     * so that p50 of an even-sized sample is the usual median.
     */
    public static double percentile(double[] values, double p) {
        double[] copy = Arrays.copyOf(values, values.length);
        return new Percentile().withEstimationType(Percentile.EstimationType.R_7).evaluate(copy, p);
    }

    public boolean noisy() {
        return cv > NOISY_CV;
    }
}
