package io.isolab.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.benchmarks.workload.Workload;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    private static final Path OUT = Path.of("/tmp/out");

    @Test
    void nativeAlwaysRunsAndTheFloorWithStartup() {
        BenchOptions o = BenchOptions.defaults(false, OUT).with(List.of("crun"), List.of(Workload.STARTUP, Workload.CPU), null, null, null);
        assertTrue(o.wants("native"));
        assertTrue(o.wants("floor"));
        assertTrue(o.wants("crun"));
        assertFalse(o.wants("runc"));
        assertFalse(o.with(null, List.of(Workload.CPU), null, null, null).wants("floor"));
    }

    @Test
    void aQuickRunLeavesRawQemuOutUnlessNamed() {
        assertFalse(BenchOptions.defaults(true, OUT).wants("qemu"));
        assertTrue(BenchOptions.defaults(false, OUT).wants("qemu"));
        assertTrue(BenchOptions.defaults(true, OUT).with(List.of("qemu"), null, null, null, null).wants("qemu"));
    }

    @Test
    void workloadListsAreParsedWithErrorsNamingTheKnownOnes() {
        assertEquals(List.of(Workload.values()), Workload.parseList("all"));
        assertEquals(List.of(Workload.STARTUP, Workload.NET), Workload.parseList("startup, net,startup"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Workload.parseList("startup,disk"));
        assertTrue(e.getMessage().contains("'disk'") && e.getMessage().contains("footprint"), e.getMessage());
    }

    @Test
    void badCountsAreRefusedNamingTheOption() {
        BenchOptions d = BenchOptions.defaults(true, OUT);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.with(null, null, 0, null, null)).getMessage()
                .contains("--repeat"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.with(null, null, null, -1, null)).getMessage()
                .contains("--warmup"));
        assertEquals(2, d.with(null, null, 2, null, null).minSamples(), "the minimum never exceeds --repeat");
    }
}
