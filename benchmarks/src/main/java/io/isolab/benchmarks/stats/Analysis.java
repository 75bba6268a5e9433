package io.isolab.benchmarks.stats;

import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.results.Sample;
import io.isolab.benchmarks.workload.Metric;
import io.isolab.benchmarks.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Derives every cell's statistics from the raw samples of a results file. */
public final class Analysis {
    public static final String NATIVE = "native";

    private Analysis() {
    }

    public static List<CellAnalysis> of(BenchResults results) {
        List<CellAnalysis> all = new ArrayList<>();
        for (Cell c : results.cells()) {
            all.add(analyze(results, c));
        }
        return all;
    }

    public static CellAnalysis analyze(BenchResults results, Cell cell) {
        Workload workload = Workload.fromKey(cell.workload());
        Metric metric = metricFor(workload, cell);
        double[] values = values(cell, metric);
        int failures = (int) cell.samples().stream().filter(s -> !s.ok()).count();
        if (values.length == 0) {
            return new CellAnalysis(cell, metric, values, null, null, failures);
        }
        Summary summary = Summary.of(values);
        Bootstrap.Interval ratio = null;
        if (!cell.target().equals(NATIVE)) {
            Optional<Cell> nativeCell = results.cell(NATIVE, cell.workload());
            if (nativeCell.isPresent() && metricFor(workload, nativeCell.get()).equals(metric)) {
                double[] base = values(nativeCell.get(), metric);
                if (base.length > 0 && Summary.percentile(base, 50) != 0 && summary.median() != 0) {
                    long seed = (cell.target() + "/" + cell.workload()).hashCode();
                    ratio = metric.lowerIsBetter() ? Bootstrap.ratioOfMedians(values, base, seed)
                            : Bootstrap.ratioOfMedians(base, values, seed);
                }
            }
        }
        return new CellAnalysis(cell, metric, values, summary, ratio, failures);
    }

    /** The workload's metric if every successful sample has it, else the wall clock (said in the report). */
    public static Metric metricFor(Workload workload, Cell cell) {
        Metric m = workload.metric();
        List<Sample> ok = cell.okSamples();
        if (m.source() == Metric.Source.PROBE && (ok.isEmpty() || ok.stream().anyMatch(s -> s.value(m.key()) == null))) {
            return m.fallbackToWall();
        }
        return m;
    }

    public static double[] values(Cell cell, Metric metric) {
        return cell.okSamples().stream().map(s -> s.value(metric.key())).filter(v -> v != null)
                .mapToDouble(v -> v * metric.scale()).toArray();
    }
}
