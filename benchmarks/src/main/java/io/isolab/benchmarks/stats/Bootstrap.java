package io.isolab.benchmarks.stats;

import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Percentile bootstrap of the ratio of two medians: resample each group with replacement, take the ratio
 * of the resampled medians, and read the 2.5th and 97.5th percentiles of those ratios. Seeded, so the
 * same samples always give the same interval.
 */
public final class Bootstrap {
    public static final int RESAMPLES = 2000;

    private Bootstrap() {
    }

    /**
     * @param ratio the point estimate, median(num) / median(den)
     * @param low   lower bound of the 95% interval
     * @param high  upper bound of the 95% interval
     */
    public record Interval(double ratio, double low, double high) {
        public boolean contains(double value) {
            return low <= value && value <= high;
        }
    }

    /** The ratio median(numerator) / median(denominator) with its 95% interval. */
    public static Interval ratioOfMedians(double[] numerator, double[] denominator, long seed) {
        if (numerator.length == 0 || denominator.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        RandomGenerator random = new MersenneTwister(seed);
        double[] ratios = new double[RESAMPLES];
        double[] a = new double[numerator.length];
        double[] b = new double[denominator.length];
        for (int i = 0; i < RESAMPLES; i++) {
            resample(numerator, a, random);
            resample(denominator, b, random);
            ratios[i] = Summary.percentile(a, 50) / Summary.percentile(b, 50);
        }
        double point = Summary.percentile(numerator, 50) / Summary.percentile(denominator, 50);
        return new Interval(point, Summary.percentile(ratios, 2.5), Summary.percentile(ratios, 97.5));
    }

    private static void resample(double[] from, double[] into, RandomGenerator random) {
        for (int i = 0; i < into.length; i++) {
            into[i] = from[random.nextInt(from.length)];
        }
    }
}
