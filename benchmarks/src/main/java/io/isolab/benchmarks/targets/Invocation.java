package io.isolab.benchmarks.targets;

import java.time.Duration;
import java.util.List;

/**
 * One run of the probe, as every target is asked for it.
 *
 * @param probeArgs   the probe's arguments, after {@code isolab-probe}
 * @param memoryBytes memory limit, or {@code null}; applied by targets that can limit memory
 * @param maxPids     pids limit, or {@code null}
 * @param timeout     wall-clock limit of the whole run
 * @param limitsOptional whether a target may run without a limit it refuses (benchmark runs), or must fail
 *                    (the isolation probes, where the limit is what is measured)
 * @param user        the user inside the sandbox, {@code null} for the target's default (root); only backends
 *                    that declare {@code run-as-user} are asked
 */
public record Invocation(List<String> probeArgs, Long memoryBytes, Integer maxPids, Duration timeout,
                         boolean limitsOptional, String user) {

    /** The limits every benchmark sandbox gets where the target can set them: roomy enough for every workload. */
    public static final long BENCH_MEMORY = 512L << 20;
    public static final int BENCH_PIDS = 256;

    public Invocation {
        probeArgs = List.copyOf(probeArgs);
    }

    public static Invocation bench(List<String> probeArgs, Duration timeout) {
        return new Invocation(probeArgs, BENCH_MEMORY, BENCH_PIDS, timeout, true, null);
    }

    /** A run whose limits are the point: a target that refuses one fails. */
    public static Invocation strict(List<String> probeArgs, Long memoryBytes, Integer maxPids, Duration timeout) {
        return new Invocation(probeArgs, memoryBytes, maxPids, timeout, false, null);
    }

    public Invocation asUser(String name) {
        return new Invocation(probeArgs, memoryBytes, maxPids, timeout, limitsOptional, name);
    }

    /** The full argv inside the sandbox. */
    public List<String> argvInSandbox() {
        List<String> argv = new java.util.ArrayList<>();
        argv.add(io.isolab.workload.Probe.PATH_IN_ROOTFS);
        argv.addAll(probeArgs);
        return argv;
    }
}
