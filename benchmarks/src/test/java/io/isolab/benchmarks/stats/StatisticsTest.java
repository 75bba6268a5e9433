package io.isolab.benchmarks.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The statistics on distributions whose answers are known. */
class StatisticsTest {

    private static double[] range(int from, int to) {
        double[] v = new double[to - from + 1];
        for (int i = 0; i < v.length; i++) {
            v[i] = from + i;
        }
        return v;
    }

    private static double[] normal(int n, double mean, double sd, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = mean + sd * r.nextGaussian();
        }
        return v;
    }

    @Test
    void percentilesOfOneToHundredAreTheTextbookOnes() {
        Summary s = Summary.of(range(1, 100));
        assertEquals(100, s.n());
        assertEquals(50.5, s.median(), 1e-9);
        assertEquals(95.05, s.p95(), 1e-9); // 1 + 0.95 * 99
        assertEquals(99.01, s.p99(), 1e-9);
        assertEquals(50.5, s.mean(), 1e-9);
        assertEquals(29.011, s.stdev(), 1e-3);
        assertEquals(29.011 / 50.5, s.cv(), 1e-4);
        assertEquals(1, s.min());
        assertEquals(100, s.max());
    }

    @Test
    void aSingleSampleHasNoSpread() {
        Summary s = Summary.of(new double[] {7});
        assertEquals(7, s.median());
        assertEquals(0, s.stdev());
        assertFalse(s.noisy());
    }

    @Test
    void noisyIsACoefficientOfVariationAboveFifteenPercent() {
        assertFalse(Summary.of(normal(2000, 100, 5, 1)).noisy());
        assertTrue(Summary.of(normal(2000, 100, 40, 2)).noisy());
    }

    @Test
    void bootstrapIntervalOfATwofoldRatioHoldsTwoAndNotOne() {
        double[] slow = normal(200, 20, 2, 3);
        double[] fast = normal(200, 10, 1, 4);
        Bootstrap.Interval r = Bootstrap.ratioOfMedians(slow, fast, 42);
        assertEquals(2.0, r.ratio(), 0.1);
        assertFalse(r.contains(1.0), r.toString());
        assertTrue(r.low() < r.ratio() && r.ratio() < r.high());
    }

    @Test
    void bootstrapIntervalsCoverTheTrueRatioAboutNinetyFivePercentOfTheTime() {
        int trials = 200;
        int covered = 0;
        for (int t = 0; t < trials; t++) {
            // medians 20 and 10: the true ratio of medians is 2
            if (Bootstrap.ratioOfMedians(normal(60, 20, 3, 1000 + t), normal(60, 10, 1.5, 5000 + t), t).contains(2.0)) {
                covered++;
            }
        }
        // binomial(200, 0.95) lies in [180, 200] with probability > 0.999; percentile bootstraps of medians
        // run a little narrow, hence the lower bound
        assertTrue(covered >= 170 && covered <= trials, covered + " of " + trials + " intervals held the true ratio");
    }

    @Test
    void bootstrapOfTwoSamplesOfOneDistributionHoldsOne() {
        Bootstrap.Interval r = Bootstrap.ratioOfMedians(normal(300, 10, 1, 5), normal(300, 10, 1, 6), 42);
        assertTrue(r.contains(1.0), r.toString());
    }

    @Test
    void bootstrapIsDeterministicForASeed() {
        double[] a = normal(50, 10, 3, 7);
        double[] b = normal(50, 12, 3, 8);
        assertEquals(Bootstrap.ratioOfMedians(a, b, 9), Bootstrap.ratioOfMedians(a, b, 9));
    }

    @Test
    void mannWhitneySeparatesShiftedDistributionsAndNotEqualOnes() {
        assertTrue(Significance.mannWhitneyP(normal(100, 10, 1, 10), normal(100, 11, 1, 11)) < 1e-6);
        assertTrue(Significance.mannWhitneyP(normal(100, 10, 1, 12), normal(100, 10, 1, 13)) > 0.05);
        assertEquals(1, Significance.mannWhitneyP(new double[] {1}, new double[] {2, 3}));
    }

    @Test
    void holmKeepsOnlyWhatSurvivesTheStepDown() {
        // alpha/3 = 0.0167, alpha/2 = 0.025, alpha/1 = 0.05
        assertArrayEquals(new boolean[] {true, true, false}, Significance.holm(new double[] {0.01, 0.02, 0.06}));
        assertArrayEquals(new boolean[] {false, true, false}, Significance.holm(new double[] {0.03, 0.001, 0.04}));
        assertArrayEquals(new boolean[] {false, false}, Significance.holm(new double[] {0.04, 0.04}));
    }
}
