package io.isolab.backend.linuxns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.Limits;
import io.isolab.backend.linuxns.cgroup.CgroupLimits;
import org.junit.jupiter.api.Test;

class LinuxNsSettingsTest {

    @Test
    void defaultsToTheIsolabParent() {
        assertEquals("isolab", LinuxNsSettings.defaults().cgroupParent());
        assertEquals("isolab", new LinuxNsSettings(" ", null, null, null, null).cgroupParent());
    }

    @Test
    void namesTheBadKey() {
        assertEquals("cgroup-parent", assertThrows(InvalidSpecException.class,
                () -> new LinuxNsSettings("a/../b", null, null, null, null)).field());
        assertEquals("cpu-weight", assertThrows(InvalidSpecException.class,
                () -> new LinuxNsSettings(null, 0, null, null, null)).field());
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> new LinuxNsSettings(null, null, "0;1", null, null));
        assertEquals("cpuset-cpus", e.field());
        assertEquals("cpuset-cpus: must be a list like 0-1,3 (got '0;1')", e.getMessage());
    }

    @Test
    void addsItsLimitsToTheSandboxes() {
        CgroupLimits l = new LinuxNsSettings(null, 200, "0", null, null).cgroupLimits(Limits.NONE.withMemoryBytes(64L << 20));
        assertEquals(64L << 20, l.memoryBytes());
        assertEquals(200, l.cpuWeight());
        assertEquals("0", l.cpusetCpus());
    }
}
