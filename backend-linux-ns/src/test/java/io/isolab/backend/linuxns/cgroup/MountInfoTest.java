package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {

    @Test
    void parsesTheExampleOfProc5() {
        MountInfo m = MountInfo.parse("36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue");
        assertEquals(new MountInfo(36, 35, "98:0", "/mnt1", "/mnt/parent", "rw,noatime", "ext3", "/dev/root",
                "rw,errors=continue"), m);
    }

    @Test
    void acceptsAnyNumberOfOptionalFields() {
        assertEquals("cgroup2", MountInfo.parse("30 23 0:26 / /sys/fs/cgroup rw shared:4 master:2 propagate_from:1 - cgroup2 cgroup2 rw").fsType());
        assertEquals("tmpfs", MountInfo.parse("31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755").fsType());
    }

    @Test
    void unescapesOctalInPaths() {
        MountInfo m = MountInfo.parse("650 612 0:26 /a\\134b /mnt/my\\040cgroups\\011x rw - cgroup2 cgroup rw");
        assertEquals("/a\\b", m.root());
        assertEquals("/mnt/my cgroups\tx", m.mountPoint());
        assertEquals("/plain\\09x", MountInfo.unescape("/plain\\09x"), "not an octal escape: kept as is");
    }

    @Test
    void namesAMalformedLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MountInfo.parse("36 35 98:0 /mnt1 /mnt/parent rw,noatime ext3"));
        assertTrue(e.getMessage().contains("/mnt/parent"), e.getMessage());
    }

    @Test
    void readsWholeTables() {
        List<MountInfo> mounts = MountInfo.parseAll(Fixtures.text("mountinfo-hybrid.txt"));
        assertEquals(14, mounts.size());
        assertEquals("/sys/fs/cgroup/unified", mounts.get(13).mountPoint());
    }
}
