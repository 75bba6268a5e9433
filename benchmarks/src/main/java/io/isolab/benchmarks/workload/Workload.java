package io.isolab.benchmarks.workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The workloads of {@code isolab bench}: each one a probe subcommand (so every backend and peer runs the
 * same binary), or for {@link #FOOTPRINT} and {@link #DENSITY} an idle probe the harness measures from
 * the host.
 */
public enum Workload {
    STARTUP("startup", "create -> exit of `isolab-probe true`: the cost of a sandbox", Kind.ONE_SHOT,
            Metric.wall(), List.of("true"), List.of("true")),
    CPU("cpu", "fixed integer/float work (xorshift + float): operations per second", Kind.ONE_SHOT,
            Metric.probe("ops_per_sec", "Mops/s", 1e-6, false), List.of("cpu", "30"), List.of("cpu", "300")),
    MEMORY("memory", "STREAM-style triad over three arrays: bandwidth", Kind.ONE_SHOT,
            Metric.probe("triad_mb_s", "MiB/s", 1, false), List.of("mem", "64"), List.of("mem", "256")),
    SYSCALL("syscall", "getppid in a loop: latency per call", Kind.ONE_SHOT,
            Metric.probe("ns_per_call", "ns/call", 1, true), List.of("syscall", "10000"), List.of("syscall", "1000000")),
    SPAWN("spawn", "fork + exec + wait of the probe itself: median per process", Kind.ONE_SHOT,
            Metric.probe("median_us", "us/spawn", 1, true), List.of("spawn", "50"), List.of("spawn", "500")),
    IO("io", "write + fsync + read back in the sandbox's /tmp: write bandwidth (fsync and read in the raw JSON)",
            Kind.ONE_SHOT, Metric.probe("write_mb_s", "MiB/s", 1, false), List.of("io", "8", "/tmp"), List.of("io", "64", "/tmp")),
    NET("net", "loopback TCP request/response inside the sandbox: median round trip", Kind.ONE_SHOT,
            Metric.probe("median_us", "us/round trip", 1, true), List.of("net", "500"), List.of("net", "10000")),
    FOOTPRINT("footprint", "host memory (PSS) of everything kept for one idle sandbox", Kind.FOOTPRINT,
            new Metric("host_pss_bytes", "MiB", 1.0 / (1 << 20), true, Metric.Source.HOST),
            List.of("tick", "1000"), List.of("tick", "1000")),
    // a rate, not the time until all run: a quick run launches fewer VMs at once than containers
    DENSITY("density", "N sandboxes launched at once, each idling: how many are running per second", Kind.DENSITY,
            new Metric("per_second", "sandboxes/s", 1, false, Metric.Source.HOST),
            List.of("tick", "1000"), List.of("tick", "1000"));

    /** How the harness drives a workload. */
    public enum Kind {
        /** Run to exit, once per sample. */
        ONE_SHOT,
        /** Start, wait until it runs, measure the host's memory for it, destroy. */
        FOOTPRINT,
        /** Start N at once, measure until all run, destroy all. */
        DENSITY
    }

    private final String key;
    private final String description;
    private final Kind kind;
    private final Metric metric;
    private final List<String> quickArgs;
    private final List<String> fullArgs;

    Workload(String key, String description, Kind kind, Metric metric, List<String> quickArgs, List<String> fullArgs) {
        this.key = key;
        this.description = description;
        this.kind = kind;
        this.metric = metric;
        this.quickArgs = quickArgs;
        this.fullArgs = fullArgs;
    }

    public String key() {
        return key;
    }

    public String description() {
        return description;
    }

    public Kind kind() {
        return kind;
    }

    public Metric metric() {
        return metric;
    }

    /** The probe's arguments (after {@code isolab-probe}). */
    public List<String> probeArgs(boolean quick) {
        return quick ? quickArgs : fullArgs;
    }

    /**
     * Parses a comma-separated list of keys, or {@code all}.
     *
     * @throws IllegalArgumentException naming the unknown key and listing the known ones
     */
    public static List<Workload> parseList(String text) {
        if (text == null || text.isBlank() || text.trim().equals("all")) {
            return List.of(values());
        }
        List<Workload> list = new ArrayList<>();
        for (String part : text.split(",")) {
            Workload w = fromKey(part.trim());
            if (!list.contains(w)) {
                list.add(w);
            }
        }
        return list;
    }

    public static Workload fromKey(String key) {
        for (Workload w : values()) {
            if (w.key.equals(key.toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + key + "' (known: "
                + Arrays.stream(values()).map(Workload::key).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return key;
    }
}
