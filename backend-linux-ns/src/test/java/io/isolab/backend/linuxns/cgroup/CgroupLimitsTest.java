package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.Limits;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupLimitsTest {

    @Test
    void takesTheSandboxLimitsWithoutSwap() {
        CgroupLimits l = CgroupLimits.from(new Limits(32L << 20, 0.5, 64, null));
        assertEquals(32L << 20, l.memoryBytes());
        assertEquals(0L, l.swapBytes());
        assertEquals(64, l.pidsMax());
        assertEquals(Set.of(Controller.MEMORY, Controller.CPU, Controller.PIDS), l.controllers());
        assertEquals(Set.of(), CgroupLimits.from(Limits.NONE).controllers());
        assertEquals(null, CgroupLimits.from(Limits.NONE).swapBytes());
    }

    @Test
    void turnsCoresIntoAQuotaOfThePeriod() {
        assertEquals(25_000, CgroupLimits.NONE.withCpus(0.25, null).cpuQuotaMicros());
        assertEquals(200_000, CgroupLimits.NONE.withCpus(2.0, null).cpuQuotaMicros());
        assertEquals(5_000, CgroupLimits.NONE.withCpus(0.5, 10_000).cpuQuotaMicros());
        assertEquals(1_000, CgroupLimits.NONE.withCpus(0.001, null).cpuQuotaMicros(), "the kernel's minimum");
        assertEquals(-1, CgroupLimits.NONE.cpuQuotaMicros());
    }

    @Test
    void mapsWeightToSharesKeepingTheDefaultsEqual() {
        assertEquals(1024, CgroupLimits.NONE.withCpuWeight(100).cpuShares());
        assertEquals(10, CgroupLimits.NONE.withCpuWeight(1).cpuShares());
        assertEquals(102_400, CgroupLimits.NONE.withCpuWeight(10_000).cpuShares());
    }

    @Test
    void namesTheBadField() {
        assertEquals("limits.memory", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withMemory(1024L, null)).field());
        assertEquals("limits.swap", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withMemory(null, 0L)).field());
        assertEquals("limits.cpus", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withCpus(-1.0, null)).field());
        assertEquals("limits.cpu-period", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withCpus(1.0, 10)).field());
        assertEquals("limits.cpu-weight", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withCpuWeight(0)).field());
        assertEquals("limits.pids", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withPidsMax(0)).field());
        assertEquals("limits.cpuset-cpus", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withCpuset("0;1", null)).field());
        assertEquals("limits.cpuset-mems", assertThrows(InvalidSpecException.class, () -> CgroupLimits.NONE.withCpuset(null, "x")).field());
    }
}
