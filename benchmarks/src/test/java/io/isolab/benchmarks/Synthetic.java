package io.isolab.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isolab.benchmarks.matrix.Finding;
import io.isolab.benchmarks.matrix.MatrixRow;
import io.isolab.benchmarks.matrix.Property;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.results.Environment;
import io.isolab.benchmarks.results.Sample;
import io.isolab.benchmarks.results.TargetInfo;
import io.isolab.benchmarks.workload.Workload;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic result set for the renderer, the compare logic and the browser test: made-up samples with
 * known distributions (not measurements), every workload, a backend with phases, an unavailable target
 * and a matrix with one disagreement.
 */
public final class Synthetic {
    private Synthetic() {
    }

    /** @param slowdown multiplies linux-ns's startup, to make a run that differs from another */
    public static BenchResults results(long seed, double slowdown) {
        Random r = new Random(seed);
        Map<String, Double> cost = Map.of("native", 1.0, "floor", 2.0, "linux-ns", 2.4 * slowdown, "crun", 15.0);
        List<TargetInfo> targets = new ArrayList<>();
        for (String id : List.of("native", "floor", "linux-ns", "crun")) {
            targets.add(new TargetInfo(id, id.equals("crun") ? "peer" : id.equals("linux-ns") ? "backend" : "baseline",
                    "synthetic " + id, true, "", "", Map.of("version", "1.0 <test>"), List.of()));
        }
        targets.add(new TargetInfo("hypervisor", "backend", "synthetic", false, "libvirtd not reachable", "isolab setup hypervisor",
                Map.of(), List.of("separate-kernel")));
        List<Cell> cells = new ArrayList<>();
        for (Workload w : Workload.values()) {
            for (TargetInfo t : targets) {
                if (!t.available()) {
                    cells.add(new Cell(t.id(), w.key(), w.probeArgs(true), Cell.UNAVAILABLE, t.reason(), 0, null));
                    continue;
                }
                if (t.id().equals("floor") && w != Workload.STARTUP) {
                    cells.add(new Cell(t.id(), w.key(), w.probeArgs(true), Cell.UNSUPPORTED, "launch baseline only", 0, null));
                    continue;
                }
                List<Sample> samples = new ArrayList<>();
                double factor = w == Workload.STARTUP || w == Workload.FOOTPRINT || w == Workload.DENSITY ? cost.get(t.id())
                        : 1 + (cost.get(t.id()) - 1) * 0.02;
                for (int i = 0; i < 20; i++) {
                    double noise = 1 + 0.05 * r.nextGaussian();
                    samples.add(sample(w, i, factor * noise, t.id().equals("linux-ns"), i == 19 && t.id().equals("crun")));
                }
                cells.add(new Cell(t.id(), w.key(), w.probeArgs(true), Cell.MEASURED, null, 1, samples));
            }
        }
        Environment env = new Environment("6.18.0-test", "Debian GNU/Linux 12 (bookworm)", "Synthetic CPU", 2, 24L << 30,
                "hybrid", true, "OpenJDK 17", "kvm", 1.5, 1.7, Map.of("crun", "crun version 1.8.1"));
        return new BenchResults(BenchResults.FORMAT, "test", "2026-01-01T00:00:00Z", 42,
                new BenchResults.RunOptions(List.of("all"), List.of(Workload.values()).stream().map(Workload::key).toList(),
                        20, 1, true, 2, 3),
                env, targets, cells, matrix(), List.of("Synthetic data: made up to test the renderer, not measured."));
    }

    private static Sample sample(Workload w, int round, double factor, boolean phases, boolean fail) {
        if (fail) {
            return new Sample(round, 0, false, "exit status 1: synthetic failure", null, null, null);
        }
        long wall = (long) (2_000_000 * factor);
        ObjectNode probe = JsonNodeFactory.instance.objectNode().put("probe", w.key());
        Map<String, Double> host = null;
        switch (w) {
            case CPU -> probe.put("ops_per_sec", 3e8 / factor);
            case MEMORY -> probe.put("triad_mb_s", 10000 / factor);
            case SYSCALL -> probe.put("ns_per_call", 180 * factor);
            case SPAWN, NET -> probe.put("median_us", 900 * factor);
            case IO -> probe.put("write_mb_s", 600 / factor);
            case FOOTPRINT -> host = Map.of("host_pss_bytes", 400_000 * factor, "host_rss_bytes", 700_000 * factor, "processes", 1.0);
            case DENSITY -> host = Map.of("launched", 4.0, "failed", 0.0, "all_running_ns", 8_000_000 * factor,
                    "per_second", 4 / (0.008 * factor));
            default -> {
            }
        }
        Map<String, Long> ph = null;
        if (phases && w == Workload.STARTUP) {
            ph = new java.util.LinkedHashMap<>();
            ph.put("create", wall / 5);
            ph.put("start", wall / 3);
            ph.put("boot", wall / 4); // a backend's own phase, within start
            ph.put("run", wall / 3);
            ph.put("destroy", wall / 6);
        }
        return new Sample(round, wall, true, null, probe, ph, host);
    }

    private static List<MatrixRow> matrix() {
        Map<Property, Finding> host = new EnumMap<>(Property.class);
        Map<Property, Finding> ns = new EnumMap<>(Property.class);
        for (Property p : Property.values()) {
            host.put(p, Finding.measured(false, false, "the host"));
            ns.put(p, Finding.measured(p != Property.KERNEL && p != Property.USER, p != Property.KERNEL, "synthetic"));
        }
        return List.of(new MatrixRow("host", true, null, List.of(), host),
                new MatrixRow("linux-ns", true, null, List.of("pid-isolation"), ns),
                new MatrixRow("hypervisor", false, "libvirtd not reachable", List.of(), Map.of()));
    }
}
