package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.SandboxStats;
import io.isolab.api.spi.HostResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The cgroup layer for real, on this host's kernel, as root: real processes moved into real cgroups,
 * limits enforced by the kernel, counters read back. Each subclass runs it over one shape of the host's
 * cgroups (as probed, v1 only, v2 only); a test that needs a controller the shape lacks is skipped
 * with that as the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class HostCgroupsTest {
    static final String PARENT = "isolab-cgtest";
    static final String PREFIX = "isolab-cgtest-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Cgroups cgroups;

    /** The shape under test, from the host's; aborts (skips) when the host does not have it. */
    abstract CgroupLayout layout(CgroupLayout host);

    @BeforeAll
    void open() {
        assumeTrue("root".equals(System.getProperty("user.name")), "creating cgroups needs root");
        cgroups = Cgroups.open(layout(CgroupLayout.ofThisProcess()), PARENT);
    }

    @AfterEach
    void nothingLeft() {
        if (cgroups == null) {
            return;
        }
        List<HostResource> left = cgroups.inventory(PREFIX);
        left.forEach(cgroups::reclaim);
        assertEquals(List.of(), left, "cgroups left behind");
    }

    @AfterAll
    void close() {
        if (cgroups != null) {
            cgroups.close();
            for (Hierarchy h : cgroups.layout().hierarchies()) {
                assertFalse(Files.exists(h.resolve(PARENT)), "parent left on " + h);
            }
        }
    }

    static String newId() {
        byte[] b = new byte[5];
        RANDOM.nextBytes(b);
        return PREFIX + HexFormat.of().formatHex(b);
    }

    Cgroups cgroups() {
        return cgroups;
    }

    void requireController(Controller c) {
        assumeTrue(cgroups.supports(c), () -> "no " + c.kernelName() + " controller for sandboxes in " + cgroups.layout().hierarchies());
    }

    @Test
    void createsOnEveryHierarchyItNeedsAndRemovesThemAll() {
        String id = newId();
        SandboxCgroup cg = cgroups.create(id, CgroupLimits.NONE);
        assertFalse(cg.dirs().isEmpty());
        for (Path dir : cg.dirs()) {
            assertTrue(Files.isDirectory(dir), dir::toString);
            assertEquals(id, dir.getFileName().toString());
        }
        assertEquals(cg.dirs().size(), cgroups.inventory(PREFIX).size());
        assertTrue(cgroups.inventory(PREFIX).stream().allMatch(r -> r.sandboxId().equals(id) && r.kind().equals("cgroup")));
        assertTrue(cgroups.layout().unified().map(u -> cg.dirs().stream().anyMatch(d -> d.startsWith(u.mountPoint())))
                .orElse(true), "a mounted cgroup2 hierarchy is always joined");
        assertFalse(cg.populated());
        cg.remove();
        cg.remove();
        for (Path dir : cg.dirs()) {
            assertFalse(Files.exists(dir), dir::toString);
        }
    }

    @Test
    void removesCgroupsTheWorkloadNestedInItsOwn() throws Exception {
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE);
        for (Path dir : cg.dirs()) {
            Files.createDirectories(dir.resolve("nested").resolve("deeper"));
        }
        cg.remove();
        for (Path dir : cg.dirs()) {
            assertFalse(Files.exists(dir), dir + " left");
        }
    }

    @Test
    void movesAProcessInAndKillsItWithEverythingItForked() throws Exception {
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE);
        try (Gated forker = Gated.shell("while :; do sleep 600 & sleep 0.02; done")) {
            cg.addProcess(forker.pid());
            forker.release();
            for (int i = 0; i < 100 && cg.pids().size() <= 3; i++) {
                Thread.sleep(100); // a few forks: 0.1 s here, longer under TCG
            }
            assertTrue(cg.populated());
            assertTrue(cg.pids().contains(forker.pid()));
            assertTrue(cg.pids().size() > 3, () -> "the forks joined too: " + cg.pids());
            cg.killAll();
            assertFalse(cg.populated());
            assertEquals(128 + 9, forker.await(5));
            assertTrue(cg.pids().isEmpty());
        } finally {
            cg.remove();
        }
    }

    @Test
    void countsCpuTimeWhileRunningAndAfter() throws Exception {
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE);
        try (Gated spin = Gated.shell("while :; do :; done")) {
            cg.addProcess(spin.pid());
            spin.release();
            long a = cg.stats().cpuNanos();
            long b = awaitCpu(cg, a);
            cg.killAll();
            long atExit = cg.stats().cpuNanos();
            assertTrue(atExit >= b);
            cg.remove();
            SandboxStats last = cg.stats();
            assertEquals(atExit, last.cpuNanos(), "the last reading stays after removal");
        } finally {
            cg.remove();
        }
    }

    /**
     * Waits until the sandbox has used 50 ms of cpu more than {@code from}: a rate would be a timing
     * assertion on a shared machine, a movement is not.
     */
    private static long awaitCpu(SandboxCgroup cg, long from) throws InterruptedException {
        long now = from;
        for (int i = 0; i < 100 && now - from < TimeUnit.MILLISECONDS.toNanos(50); i++) {
            Thread.sleep(50);
            now = cg.stats().cpuNanos();
        }
        long used = now - from;
        assertTrue(used >= TimeUnit.MILLISECONDS.toNanos(50), () -> "a spinning shell used " + used / 1_000_000 + " ms in 5 s");
        return now;
    }

    @Test
    void freezingStopsTheCpuAndThawingResumesIt() throws Exception {
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE);
        assumeTrue(cg.canFreeze(), "no freezer here");
        try (Gated spin = Gated.shell("while :; do :; done")) {
            cg.addProcess(spin.pid());
            spin.release();
            awaitCpu(cg, 0);
            cg.freeze();
            long a = cg.stats().cpuNanos();
            Thread.sleep(500);
            long b = cg.stats().cpuNanos();
            assertTrue(b - a < TimeUnit.MILLISECONDS.toNanos(20), () -> "used " + (b - a) / 1_000_000 + " ms frozen");
            cg.thaw();
            awaitCpu(cg, b);
            cg.freeze();
            cg.killAll();
            assertEquals(128 + 9, spin.await(5), "a frozen sandbox is killed too");
        } finally {
            cg.remove();
        }
    }

    @Test
    void holdsTheMemoryLimitAndSaysWhenTheOomKillerStruck() throws Exception {
        requireController(Controller.MEMORY);
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE.withMemory(32L << 20, 0L));
        try (Gated alloc = Gated.shell("exec dd if=/dev/zero of=/dev/null bs=200M count=1")) {
            cg.addProcess(alloc.pid());
            alloc.release();
            assertEquals(128 + 9, alloc.await(30), "dd of 200 MiB under 32 MiB");
            assertTrue(cg.oomKilled(), () -> "no OOM kill counted: " + cg.stats());
            SandboxStats stats = cg.stats();
            assertTrue(stats.extra().get("oom_kill") >= 1, stats::toString);
            assertTrue(stats.memoryPeakBytes() <= (33L << 20) && stats.memoryPeakBytes() > (16L << 20), stats::toString);
        } finally {
            cg.remove();
        }
    }

    @Test
    void aProcessWithinTheLimitIsNotReportedOomKilled() throws Exception {
        requireController(Controller.MEMORY);
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE.withMemory(32L << 20, 0L));
        try (Gated alloc = Gated.shell("exec dd if=/dev/zero of=/dev/null bs=8M count=4")) {
            cg.addProcess(alloc.pid());
            alloc.release();
            assertEquals(0, alloc.await(30), alloc::output);
            assertFalse(cg.oomKilled(), () -> cg.stats().toString());
            assertTrue(cg.stats().memoryPeakBytes() >= (8L << 20), () -> cg.stats().toString());
        } finally {
            cg.remove();
        }
    }

    @Test
    void reportsMemoryInUseWhileRunning() throws Exception {
        requireController(Controller.MEMORY);
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE);
        try (Gated hold = Gated.shell("x=$(head -c 16000000 /dev/zero | tr '\\0' a); sleep 600")) {
            cg.addProcess(hold.pid());
            hold.release();
            SandboxStats stats = cg.stats();
            // up to a minute: under TCG (the pure-v2 guest) head | tr take more than ten seconds for 16 MB
            for (int i = 0; i < 600 && stats.memoryBytes() < 16_000_000; i++) {
                Thread.sleep(100);
                stats = cg.stats();
            }
            SandboxStats seen = stats;
            assertTrue(seen.memoryBytes() >= 16_000_000, seen::toString);
            assertTrue(seen.memoryPeakBytes() >= seen.memoryBytes(), seen::toString);
            assertTrue(seen.pids() >= 1, seen::toString);
            assertTrue(seen.pidsPeak() >= 3, () -> "the shell, head and tr ran at once: " + seen);
        } finally {
            cg.remove();
        }
    }

    @Test
    void holdsThePidsLimit() throws Exception {
        requireController(Controller.PIDS);
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE.withPidsMax(16));
        try (Gated bomb = Gated.shell("i=0; while [ $i -lt 64 ]; do sleep 600 & i=$((i+1)); done; wait")) {
            cg.addProcess(bomb.pid());
            bomb.release();
            SandboxStats stats = cg.stats();
            for (int i = 0; i < 100 && stats.extra().get("pids.events.max") == 0; i++) {
                Thread.sleep(50);
                stats = cg.stats();
            }
            SandboxStats seen = stats;
            assertTrue(seen.extra().get("pids.events.max") > 0, () -> "no fork was refused: " + seen);
            assertTrue(seen.pids() <= 16 && seen.pidsPeak() <= 16, seen::toString);
            assertTrue(cg.pids().size() <= 16);
            cg.killAll();
        } finally {
            cg.remove();
        }
    }

    @Test
    void holdsTheCpuQuota() throws Exception {
        requireController(Controller.CPU);
        // a tenth of a core: below the fair share even of this busy 2-core machine, so the quota is what bites
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE.withCpus(0.1, null));
        try (Gated spin = Gated.shell("while :; do :; done")) {
            cg.addProcess(spin.pid());
            long t0 = System.nanoTime();
            spin.release();
            Thread.sleep(1500);
            SandboxStats stats = cg.stats();
            double share = (double) stats.cpuNanos() / (System.nanoTime() - t0);
            assertTrue(share < 0.2, () -> "a 0.1-cpu cgroup used " + share + " of a core: " + stats);
            assertTrue(stats.extra().get("cpu.nr_throttled") > 0, stats::toString);
            cg.killAll();
        } finally {
            cg.remove();
        }
    }

    @Test
    void writesWeightAndCpusetWhereTheKernelReadsThem() {
        requireController(Controller.CPU);
        requireController(Controller.CPUSET);
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE.withCpuWeight(50).withCpuset("0", "0"));
        try {
            CgroupDir cpu = cg.dir(Controller.CPU).orElseThrow();
            assertEquals(cpu.version() == CgroupVersion.V2 ? 50 : 512, cpu.readValue(cpu.version() == CgroupVersion.V2 ? "cpu.weight" : "cpu.shares"));
            CgroupDir cpuset = cg.dir(Controller.CPUSET).orElseThrow();
            assertEquals("0", cpuset.read("cpuset.cpus").trim());
            assertEquals("0", cpuset.read("cpuset.mems").trim());
        } finally {
            cg.remove();
        }
    }

    @Test
    void aProcessCanJoinACpusetCgroupWithoutExplicitCpus() throws Exception {
        requireController(Controller.CPUSET);
        // only mems given: on v1 the cpus must have been copied from the parent, or the join fails (ENOSPC)
        SandboxCgroup cg = cgroups.create(newId(), CgroupLimits.NONE.withCpuset(null, "0"));
        try (Gated sleep = Gated.shell("sleep 600")) {
            cg.addProcess(sleep.pid());
            assertTrue(cg.pids().contains(sleep.pid()));
        } finally {
            cg.remove();
        }
    }

    @Test
    void aRefusedLimitLeavesNothingBehind() {
        requireController(Controller.CPUSET);
        String id = newId();
        CgroupException e = assertThrows(CgroupException.class,
                () -> cgroups.create(id, CgroupLimits.NONE.withCpuset("4095", null)));
        assertTrue(e.getMessage().contains("cpuset.cpus"), e.getMessage());
        assertEquals(List.of(), cgroups.inventory(PREFIX));
    }

    @Test
    void reclaimFindsAnOrphanAndKillsWhatRunsInIt() throws Exception {
        String id = newId();
        try (Gated orphan = Gated.shell("sleep 600")) {
            cgroups.create(id, CgroupLimits.NONE).addProcess(orphan.pid());
            orphan.release();
            // a second view of the host, as a new JVM would have after the first one died
            try (Cgroups later = Cgroups.open(cgroups.layout(), PARENT)) {
                List<HostResource> found = later.inventory(PREFIX);
                assertFalse(found.isEmpty());
                assertTrue(found.stream().allMatch(r -> r.sandboxId().equals(id)), found::toString);
                found.forEach(later::reclaim);
                assertEquals(List.of(), later.inventory(PREFIX));
            }
            assertEquals(128 + 9, orphan.await(5));
        }
    }

    @Test
    void refusesALimitWhoseControllerIsMissing() {
        for (Controller c : List.of(Controller.MEMORY, Controller.PIDS, Controller.CPU)) {
            if (!cgroups.supports(c)) {
                CgroupLimits limits = switch (c) {
                    case MEMORY -> CgroupLimits.NONE.withMemory(32L << 20, null);
                    case PIDS -> CgroupLimits.NONE.withPidsMax(8);
                    default -> CgroupLimits.NONE.withCpus(1.0, null);
                };
                CgroupException e = assertThrows(CgroupException.class, () -> cgroups.create(newId(), limits));
                assertTrue(e.getMessage().contains(c.kernelName() + " controller"), e.getMessage());
            }
        }
        assertEquals(List.of(), cgroups.inventory(PREFIX));
        assertNotNull(cgroups.facts().get("cgroup"));
    }
}
