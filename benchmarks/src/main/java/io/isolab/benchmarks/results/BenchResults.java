package io.isolab.benchmarks.results;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isolab.api.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything one {@code isolab bench} run measured: {@code results.json}. Statistics are not stored: they
 * are derived from the raw samples by whoever reads the file, so a reader can recompute them.
 *
 * @param format      version of this file's layout
 * @param isolab      isolab's version
 * @param startedAt   ISO-8601 instant
 * @param seconds     how long the run took
 * @param options     how it was run
 * @param environment the host
 * @param targets     every target, available or not
 * @param cells       every target × workload
 * @param matrix      the isolation matrix, when the run measured it
 * @param notes       caveats that belong with the numbers
 */
public record BenchResults(int format, String isolab, String startedAt, double seconds, RunOptions options,
                           Environment environment, List<TargetInfo> targets, List<Cell> cells,
                           List<io.isolab.benchmarks.matrix.MatrixRow> matrix, List<String> notes) {

    public static final int FORMAT = 1;

    public BenchResults {
        targets = List.copyOf(targets);
        cells = List.copyOf(cells);
        matrix = matrix == null ? List.of() : List.copyOf(matrix);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /**
     * @param targets   what was asked for ({@code all} or ids)
     * @param workloads workload keys
     * @param repeat    measured rounds at most
     * @param warmup    warm-up rounds
     * @param quick     whether the quick sizes and budgets were used
     * @param cellBudgetSeconds a cell stops taking samples after this much time, once it has the minimum
     * @param minSamples the minimum
     */
    public record RunOptions(List<String> targets, List<String> workloads, int repeat, int warmup, boolean quick,
                             double cellBudgetSeconds, int minSamples) {
    }

    public Optional<Cell> cell(String target, String workload) {
        return cells.stream().filter(c -> c.target().equals(target) && c.workload().equals(workload)).findFirst();
    }

    public Optional<TargetInfo> target(String id) {
        return targets.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    private static ObjectMapper mapper() {
        return Json.mapper().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public void write(Path file) throws IOException {
        mapper().writeValue(file.toFile(), this);
    }

    public static BenchResults read(Path file) throws IOException {
        return mapper().readValue(file.toFile(), BenchResults.class);
    }
}
