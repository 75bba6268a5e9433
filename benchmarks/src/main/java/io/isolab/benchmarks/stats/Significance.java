package io.isolab.benchmarks.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

/**
 * Whether two sets of samples differ: the two-sided Mann-Whitney U test (no assumption of normality, which
 * launch times never have), and Holm's correction when many cells are compared at once.
 */
public final class Significance {
    public static final double ALPHA = 0.05;

    private Significance() {
    }

    /** The two-sided p-value of the Mann-Whitney U test; 1 when either side has fewer than 2 samples. */
    public static double mannWhitneyP(double[] a, double[] b) {
        if (a.length < 2 || b.length < 2) {
            return 1;
        }
        return new MannWhitneyUTest().mannWhitneyUTest(a, b);
    }

    /**
     * Holm-Bonferroni: which of {@code pValues} stay significant at {@link #ALPHA} when all are tested
     * together.
     */
    public static boolean[] holm(double[] pValues) {
        int m = pValues.length;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble(i -> pValues[i]));
        boolean[] significant = new boolean[m];
        for (int rank = 0; rank < m; rank++) {
            int i = order.get(rank);
            if (pValues[i] > ALPHA / (m - rank)) {
                break;
            }
            significant[i] = true;
        }
        return significant;
    }
}
