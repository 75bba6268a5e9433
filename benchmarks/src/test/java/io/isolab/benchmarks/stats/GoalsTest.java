package io.isolab.benchmarks.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.benchmarks.Synthetic;
import java.util.List;
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
}
