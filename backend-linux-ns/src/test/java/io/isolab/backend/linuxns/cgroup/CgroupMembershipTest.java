package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupMembershipTest {

    @Test
    void readsEveryHierarchyOfAHybridHost() {
        List<CgroupMembership> entries = CgroupMembership.parseAll(Fixtures.text("proc-self-cgroup-hybrid.txt"));
        assertEquals(10, entries.size());
        assertEquals("/process_api/5fe4fe64284925fbd4cbc88710ccd618",
                CgroupMembership.find(entries, "memory").orElseThrow().path());
        assertEquals("/", CgroupMembership.find(entries, null).orElseThrow().path());
        assertEquals(List.of("name=systemd"), entries.get(0).controllers());
    }

    @Test
    void readsCoMountedControllersAndPathsWithColons() {
        CgroupMembership e = CgroupMembership.parse("4:cpu,cpuacct:/a:b/c");
        assertEquals(List.of("cpu", "cpuacct"), e.controllers());
        assertEquals("/a:b/c", e.path());
    }

    @Test
    void dropsTheDeletedSuffixOfAZombiesRemovedCgroup() {
        // cgroup-v2.rst, "Processes": " (deleted)" is appended once the cgroup is removed
        CgroupMembership e = CgroupMembership.parse("0::/test-cgroup/test-cgroup-nested (deleted)");
        assertTrue(e.unified());
        assertEquals("/test-cgroup/test-cgroup-nested", e.path());
    }

    @Test
    void namesAMalformedLine() {
        assertThrows(IllegalArgumentException.class, () -> CgroupMembership.parse("x::/"));
        assertThrows(IllegalArgumentException.class, () -> CgroupMembership.parse("0:memory"));
    }
}
