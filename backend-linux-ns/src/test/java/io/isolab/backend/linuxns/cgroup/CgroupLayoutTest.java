package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupLayoutTest {
    private static final Set<String> KERNEL = Set.of("cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer",
            "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc");

    private static CgroupLayout layout(String fixture, Map<String, String> files) {
        return CgroupLayout.detect(MountInfo.parseAll(Fixtures.text(fixture)), KERNEL, p -> files.get(p.toString()));
    }

    @Test
    void findsEachControllerOfAHybridHostWhereItIs() {
        CgroupLayout l = layout("mountinfo-hybrid.txt", Map.of("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n"));
        assertEquals(CgroupLayout.Mode.HYBRID, l.mode());
        assertEquals(Path.of("/sys/fs/cgroup/memory"), l.holding("memory").orElseThrow().mountPoint());
        assertEquals(CgroupVersion.V1, l.holding("pids").orElseThrow().version());
        assertEquals(CgroupVersion.V2, l.holding("hugetlb").orElseThrow().version());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), l.unified().orElseThrow().mountPoint());
        assertTrue(l.hierarchies().stream().noneMatch(h -> h.mountPoint().endsWith("systemd")),
                "name=systemd holds no controller");
        assertEquals(9, l.hierarchies().size());
    }

    @Test
    void findsEveryControllerOnAUnifiedHost() {
        CgroupLayout l = layout("mountinfo-unified.txt",
                Map.of("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n"));
        assertEquals(CgroupLayout.Mode.UNIFIED, l.mode());
        for (String c : new String[] {"memory", "pids", "cpu", "cpuset"}) {
            assertEquals(Path.of("/sys/fs/cgroup"), l.holding(c).orElseThrow().mountPoint(), c);
        }
        assertTrue(l.legacy("memory").isEmpty());
    }

    @Test
    void readsCoMountedV1Controllers() {
        CgroupLayout l = layout("mountinfo-legacy.txt", Map.of("/sys/fs/cgroup/unified/cgroup.controllers", ""));
        // systemd's hybrid mode with an empty cgroup2 mount: still hybrid, every controller on v1
        assertEquals(CgroupLayout.Mode.HYBRID, l.mode());
        Hierarchy cpu = l.holding("cpu").orElseThrow();
        assertEquals(cpu, l.holding("cpuacct").orElseThrow());
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), cpu.mountPoint());
        assertEquals(Set.of("cpuset"), l.legacy("cpuset").orElseThrow().controllers(), "clone_children is an option");
        assertEquals(CgroupLayout.Mode.LEGACY, l.withoutUnified().mode());
    }

    @Test
    void keepsOneMountPerHierarchyAndItsRoot() {
        CgroupLayout l = layout("mountinfo-container.txt",
                Map.of("/sys/fs/cgroup/cgroup.controllers", "memory pids", "/mnt/my cgroups/cgroup.controllers", "memory"));
        assertEquals(1, l.hierarchies().size());
        Hierarchy h = l.unified().orElseThrow();
        assertEquals(Path.of("/sys/fs/cgroup"), h.mountPoint());
        assertEquals("/docker/0123abcd", h.mountRoot());
        assertEquals(Set.of("memory", "pids"), h.controllers());
    }

    @Test
    void seesNoneWithoutCgroupMounts() {
        assertEquals(CgroupLayout.Mode.NONE, CgroupLayout.detect(
                MountInfo.parseAll("22 1 259:2 / / rw - ext4 /dev/sda rw\n"), KERNEL, p -> null).mode());
    }

    @Test
    void readsTheKernelsControllerList() {
        // the first column of /proc/cgroups, header skipped
        Set<String> names = CgroupLayout.kernelControllers(Path.of("/proc/cgroups"));
        assertTrue(names.isEmpty() || names.contains("memory"), names::toString);
    }
}
