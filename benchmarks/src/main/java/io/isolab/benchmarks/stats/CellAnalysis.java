package io.isolab.benchmarks.stats;

import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.workload.Metric;

/**
 * The statistics of one measured cell, in the metric's display unit.
 *
 * @param cell     the raw cell
 * @param metric   the metric actually used (the wall clock when the probe's JSON lacked the workload's key)
 * @param values   the values of the successful samples, scaled to {@code metric.unit()}
 * @param summary  their distribution, {@code null} when none
 * @param ratio    the cost ratio to native with its bootstrap 95% interval, {@code null} when there is no
 *                 comparable native cell or this is native
 * @param failures samples that failed
 */
public record CellAnalysis(Cell cell, Metric metric, double[] values, Summary summary, Bootstrap.Interval ratio,
                           int failures) {

    public boolean measured() {
        return summary != null;
    }

    /** Marked in every table: a coefficient of variation above {@link Summary#NOISY_CV}, or failed samples. */
    public boolean noisy() {
        return summary != null && (summary.noisy() || failures > 0);
    }
}
