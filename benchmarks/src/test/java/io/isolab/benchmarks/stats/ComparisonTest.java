package io.isolab.benchmarks.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.benchmarks.Synthetic;
import io.isolab.benchmarks.results.BenchResults;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    private static Comparison.Change find(List<Comparison.Change> changes, String target, String workload) {
        return changes.stream().filter(c -> c.target().equals(target) && c.workload().equals(workload)).findFirst()
                .orElseThrow(() -> new AssertionError("no change for " + target + "/" + workload));
    }

    @Test
    void aTwiceSlowerCellIsSignificantlyWorseAndTheRestIsNot() {
        BenchResults a = Synthetic.results(1, 1.0);
        BenchResults b = Synthetic.results(2, 2.0); // linux-ns startup twice as slow, everything else redrawn
        List<Comparison.Change> changes = Comparison.compare(a, b);
        Comparison.Change slower = find(changes, "linux-ns", "startup");
        assertTrue(slower.significant(), slower.toString());
        assertTrue(slower.worse());
        assertEquals(1.0, slower.change(), 0.15);
        Comparison.Change same = find(changes, "native", "startup");
        assertFalse(same.significant(), same.toString());
        long significant = changes.stream().filter(Comparison.Change::significant).count();
        // linux-ns's other workloads scale a little with its cost too; no other target may change
        assertTrue(changes.stream().filter(Comparison.Change::significant).allMatch(c -> c.target().equals("linux-ns")),
                changes.toString());
        assertTrue(significant >= 1);
    }

    @Test
    void aHigherBandwidthIsBetterNotWorse() {
        BenchResults a = Synthetic.results(3, 2.0);
        BenchResults b = Synthetic.results(4, 1.0);
        Comparison.Change mem = find(Comparison.compare(a, b), "linux-ns", "memory");
        assertTrue(mem.medianB() > mem.medianA(), mem.toString());
        assertFalse(mem.worse(), "more bandwidth is better: " + mem);
    }

    @Test
    void ratiosAreCostsSoThatBandwidthsAreInverted() {
        BenchResults r = Synthetic.results(5, 1.0);
        CellAnalysis startup = Analysis.analyze(r, r.cell("crun", "startup").orElseThrow());
        assertEquals(15, startup.ratio().ratio(), 1.5);
        CellAnalysis memory = Analysis.analyze(r, r.cell("crun", "memory").orElseThrow());
        assertTrue(memory.ratio().ratio() > 1, "a lower bandwidth is a cost above 1: " + memory.ratio());
        CellAnalysis nativeCell = Analysis.analyze(r, r.cell("native", "startup").orElseThrow());
        assertNull(nativeCell.ratio());
        assertNotNull(nativeCell.summary());
    }

    @Test
    void failedSamplesAreLeftOutAndMarkTheCellNoisy() {
        BenchResults r = Synthetic.results(6, 1.0);
        CellAnalysis crun = Analysis.analyze(r, r.cell("crun", "cpu").orElseThrow());
        assertEquals(19, crun.summary().n());
        assertEquals(1, crun.failures());
        assertTrue(crun.noisy());
    }
}
