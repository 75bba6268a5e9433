package io.isolab.benchmarks;

import io.isolab.benchmarks.workload.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to run {@code isolab bench}.
 *
 * @param targets     backend and peer ids to run, or {@code all}; {@code native} is always run (it is the
 *                    reference), {@code floor} whenever startup is
 * @param workloads   which workloads
 * @param repeat      measured rounds (a cell takes at most this many samples)
 * @param warmup      rounds run first and discarded
 * @param quick       small workload sizes and a time budget per cell
 * @param out         where results.json, summary.csv and report.html go
 * @param cellBudget  a cell stops taking samples once it has spent this long and has {@code minSamples}
 * @param minSamples  samples every measured cell gets regardless of its budget
 * @param densityN    sandboxes launched at once by the density workload
 * @param timeout     limit of one run
 * @param seed        for the interleaving order and the bootstrap
 * @param matrix      also run the isolation probes for the report's matrix
 * @param deadline    after this long, cells that have {@code minSamples} take no more; {@code null} for none
 */
public record BenchOptions(List<String> targets, List<Workload> workloads, int repeat, int warmup, boolean quick,
                           Path out, Duration cellBudget, int minSamples, int densityN, Duration timeout, long seed,
                           boolean matrix, Duration deadline) {

    public BenchOptions {
        targets = List.copyOf(targets);
        workloads = List.copyOf(workloads);
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1 (got " + repeat + ")");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must not be negative (got " + warmup + ")");
        }
        if (workloads.isEmpty()) {
            throw new IllegalArgumentException("--workloads names no workload");
        }
        minSamples = Math.min(minSamples, repeat);
    }

    /** The defaults: {@code --quick} or the full run, with what the user gave in place of each default. */
    public static BenchOptions defaults(boolean quick, Path out) {
        return quick
                ? new BenchOptions(List.of("all"), List.of(Workload.values()), 10, 1, true, out, Duration.ofMillis(1500), 3, 4,
                        Duration.ofMinutes(2), 1, true, Duration.ofSeconds(140))
                : new BenchOptions(List.of("all"), List.of(Workload.values()), 30, 3, false, out, Duration.ofSeconds(90), 10, 16,
                        Duration.ofMinutes(5), 1, true, null);
    }

    /**
     * Whether a target runs. {@code all} means every target, except in a quick run the raw-QEMU peer, whose
     * boots alone would take the quick run past its budget: it runs in a quick run only when named.
     */
    public boolean wants(String id) {
        if (id.equals("native") || targets.contains(id)) {
            return true;
        }
        if (id.equals("floor")) {
            return workloads.contains(Workload.STARTUP);
        }
        return targets.contains("all") && !(quick && id.equals("qemu"));
    }

    public BenchOptions with(List<String> newTargets, List<Workload> newWorkloads, Integer newRepeat, Integer newWarmup,
                             Boolean newMatrix) {
        return new BenchOptions(newTargets == null ? targets : newTargets, newWorkloads == null ? workloads : newWorkloads,
                newRepeat == null ? repeat : newRepeat, newWarmup == null ? warmup : newWarmup, quick, out, cellBudget,
                minSamples, densityN, timeout, seed, newMatrix == null ? matrix : newMatrix, deadline);
    }
}
