package io.isolab.benchmarks;

import io.isolab.benchmarks.workload.Workload;

/**
 * What one sample is expected to cost before any is taken, for the up-front estimate; from
 * baselines.md's figures on this kind of machine. Replaced by measurements after the first round.
 */
final class Estimates {
    private Estimates() {
    }

    static double prior(String target, Workload workload, BenchOptions options) {
        double launch = switch (target) {
            case "hypervisor" -> 6;
            case "qemu" -> 2.5;
            case "runsc" -> 0.2;
            case "runc" -> 0.08;
            case "crun" -> 0.04;
            case "bwrap", "linux-ns" -> 0.015;
            default -> 0.006;
        };
        double work = options.quick() ? 0.05 : 0.5;
        return switch (workload.kind()) {
            case ONE_SHOT -> launch + (workload == Workload.STARTUP ? 0 : work);
            case FOOTPRINT -> launch + 0.4;
            case DENSITY -> launch * Math.max(1, options.densityN() / 2.0) + 0.2;
        };
    }
}
