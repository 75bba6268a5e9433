package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The formats of cgroup-v2.rst, "Interface Files", over files with the keys that document defines. */
class CgroupFilesTest {

    @Test
    void readsSingleValuesAndMax() {
        assertEquals(33554432L, CgroupFiles.value("33554432\n"));
        assertEquals(CgroupFiles.MAX, CgroupFiles.value("max\n"));
        assertThrows(NumberFormatException.class, () -> CgroupFiles.value("lots"));
    }

    @Test
    void readsFlatKeyedFiles() {
        Map<String, Long> cpu = CgroupFiles.flatKeyed(Fixtures.text("v2-cpu.stat"));
        assertEquals(1763500L, cpu.get("usage_usec"));
        assertEquals(31L, cpu.get("nr_throttled"));
        Map<String, Long> memory = CgroupFiles.flatKeyed(Fixtures.text("v2-memory.events"));
        assertEquals(2L, memory.get("oom_kill"));
        assertEquals(1542L, memory.get("max"));
        assertEquals(Map.of("populated", 1L, "frozen", 0L), CgroupFiles.flatKeyed(Fixtures.text("v2-cgroup.events")));
        assertEquals(Map.of("max", 17L), CgroupFiles.flatKeyed(Fixtures.text("v2-pids.events")));
        assertEquals(1L, CgroupFiles.flatKeyed(Fixtures.text("v1-memory.oom_control")).get("oom_kill"));
        assertEquals(1_500_000_000L, CgroupFiles.flatKeyed(Fixtures.text("v1-cpu.stat")).get("throttled_time"));
    }

    @Test
    void skipsFlatKeyedLinesThatAreNotCounters() {
        assertEquals(Map.of("a", 1L), CgroupFiles.flatKeyed("a 1\nb text\nc\n\n"));
    }

    @Test
    void readsIdLists() {
        assertEquals(List.of(1L, 42L, 42L), CgroupFiles.ids("1\n42\n42\n"));
        assertEquals(List.of(), CgroupFiles.ids(""));
    }

    @Test
    void readsAndWritesCpuMax() {
        // cgroup-v2.rst: 'The default is "max 100000"', format "$MAX $PERIOD"
        assertEquals(new CgroupFiles.CpuMax(CgroupFiles.MAX, 100000), CgroupFiles.CpuMax.parse("max 100000\n"));
        assertEquals("max 100000", CgroupFiles.CpuMax.parse("max 100000\n").format());
        assertEquals("25000 100000", new CgroupFiles.CpuMax(25000, 100000).format());
        assertThrows(IllegalArgumentException.class, () -> CgroupFiles.CpuMax.parse("25000"));
    }
}
