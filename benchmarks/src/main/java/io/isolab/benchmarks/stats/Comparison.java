package io.isolab.benchmarks.stats;

import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.workload.Metric;
import io.isolab.benchmarks.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What changed between two runs ({@code isolab bench --compare A.json B.json}): for every cell measured in
 * both, the change of the median and whether it is significant (Mann-Whitney U, Holm-corrected over all
 * cells compared).
 */
public final class Comparison {

    /**
     * @param target      target id
     * @param workload    workload key
     * @param unit        the metric's unit
     * @param medianA     median in A
     * @param medianB     median in B
     * @param change      (B - A) / A
     * @param p           two-sided Mann-Whitney p-value
     * @param significant after Holm's correction
     * @param worse       whether B is worse than A (slower, bigger, lower bandwidth)
     */
    public record Change(String target, String workload, String unit, double medianA, double medianB, double change,
                         double p, boolean significant, boolean worse) {
    }

    private Comparison() {
    }

    public static List<Change> compare(BenchResults a, BenchResults b) {
        List<Cell> pairsA = new ArrayList<>();
        List<Cell> pairsB = new ArrayList<>();
        List<Metric> metrics = new ArrayList<>();
        for (Cell ca : a.cells()) {
            Optional<Cell> cb = b.cell(ca.target(), ca.workload());
            if (cb.isEmpty() || ca.okSamples().isEmpty() || cb.get().okSamples().isEmpty()) {
                continue;
            }
            Workload w = Workload.fromKey(ca.workload());
            Metric ma = Analysis.metricFor(w, ca);
            if (!ma.equals(Analysis.metricFor(w, cb.get()))) {
                continue; // one side fell back to the wall clock: not comparable
            }
            pairsA.add(ca);
            pairsB.add(cb.get());
            metrics.add(ma);
        }
        double[] p = new double[pairsA.size()];
        double[][] va = new double[pairsA.size()][];
        double[][] vb = new double[pairsA.size()][];
        for (int i = 0; i < p.length; i++) {
            va[i] = Analysis.values(pairsA.get(i), metrics.get(i));
            vb[i] = Analysis.values(pairsB.get(i), metrics.get(i));
            p[i] = Significance.mannWhitneyP(va[i], vb[i]);
        }
        boolean[] significant = Significance.holm(p);
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            double ma = Summary.percentile(va[i], 50);
            double mb = Summary.percentile(vb[i], 50);
            double change = ma == 0 ? 0 : (mb - ma) / ma;
            boolean worse = metrics.get(i).lowerIsBetter() ? mb > ma : mb < ma;
            changes.add(new Change(pairsA.get(i).target(), pairsA.get(i).workload(), metrics.get(i).unit(), ma, mb, change,
                    p[i], significant[i], worse));
        }
        return changes;
    }
}
