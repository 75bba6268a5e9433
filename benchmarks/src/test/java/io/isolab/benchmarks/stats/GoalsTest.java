package io.isolab.benchmarks.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.benchmarks.Synthetic;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.results.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The issues' launch targets, judged on synthetic startups (linux-ns 2.4x native, crun 15x). */
class GoalsTest {

    private static Goals.Outcome outcome(List<Goals.Outcome> all, String target, String reference) {
        return all.stream().filter(o -> o.goal().target().equals(target) && o.goal().reference().equals(reference))
                .findFirst().orElseThrow();
    }

    @Test
    void aRatioWhoseWholeIntervalIsUnderTheLimitIsMetAndOneAboveItMissed() {
        assertEquals(Goals.Verdict.MET, outcome(Goals.check(Synthetic.results(1, 1.0)), "linux-ns", "crun").verdict());
        assertEquals(Goals.Verdict.MISSED, outcome(Goals.check(Synthetic.results(1, 2.0)), "linux-ns", "crun").verdict());
    }

    @Test
    void aTargetNotMeasuredSaysWhy() {
        List<Goals.Outcome> all = Goals.check(Synthetic.results(1, 1.0));
        Goals.Outcome chroot = outcome(all, "chroot", "native");
        assertEquals(Goals.Verdict.NOT_MEASURED, chroot.verdict());
        assertTrue(chroot.why().contains("chroot not in this run"), chroot.why());
        Goals.Outcome vm = outcome(all, "hypervisor", "qemu");
        assertTrue(vm.why().contains("libvirtd not reachable"), vm.why());
    }

    @Test
    void theVmGoalShowsBothSidesPhaseByPhaseAndOtherGoalsNoBreakdown() {
        BenchResults base = Synthetic.results(1, 1.0);
        List<Cell> cells = new ArrayList<>(base.cells().stream()
                .filter(c -> !(c.target().equals("hypervisor") && c.workload().equals("startup"))).toList());
        cells.add(startup("hypervisor", 5000, Map.of("create", 1200L, "boot", 2500L)));
        cells.add(startup("qemu", 2000, Map.of("boot", 1800L, "shutdown", 50L)));
        BenchResults results = new BenchResults(base.format(), base.isolab(), base.startedAt(), base.seconds(), base.options(),
                base.environment(), base.targets(), cells, base.matrix(), base.notes());
        Goals.Goal vm = Goals.LAUNCH.stream().filter(g -> g.target().equals("hypervisor")).findFirst().orElseThrow();
        List<Goals.PhaseMedians> rows = Goals.breakdown(results, vm);
        assertEquals(List.of(Goals.PhaseMedians.WALL, "create", "boot", "shutdown"), rows.stream().map(Goals.PhaseMedians::phase).toList());
        assertEquals(new Goals.PhaseMedians("wall", 5000.0, 2000.0), rows.get(0));
        assertEquals(new Goals.PhaseMedians("create", 1200.0, null), rows.get(1));
        assertEquals(new Goals.PhaseMedians("boot", 2500.0, 1800.0), rows.get(2));
        assertEquals(Goals.Verdict.MISSED, outcome(Goals.check(results), "hypervisor", "qemu").verdict());
        Goals.Goal nsCrun = Goals.LAUNCH.stream().filter(g -> g.reference().equals("crun")).findFirst().orElseThrow();
        assertEquals(List.of(), Goals.breakdown(results, nsCrun), "crun reports no phases");
    }

    /** Seven startup samples of {@code ms} (+0..6 ms), each with the given phases in ms. */
    private static Cell startup(String target, long ms, Map<String, Long> phasesMs) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Map<String, Long> phases = new LinkedHashMap<>();
            for (String p : List.of("create", "boot", "shutdown")) {
                if (phasesMs.containsKey(p)) {
                    phases.put(p, phasesMs.get(p) * 1_000_000);
                }
            }
            samples.add(new Sample(i, (ms + i) * 1_000_000 - 3_000_000, true, null, null, phases, null));
        }
        return new Cell(target, "startup", List.of("true"), Cell.MEASURED, null, 0, samples);
    }
}
