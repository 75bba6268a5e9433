package io.isolab.api.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.Capability;
import io.isolab.api.ExitStatus;
import io.isolab.api.ProcessSpec;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.UnsupportedCapabilityException;
import io.isolab.api.spi.BackendContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Backend and Sandbox do for every backend, checked against a scripted driver. */
class BackendLifecycleTest {
    @TempDir
    Path stateDir;

    private final ScriptedDriver driver = new ScriptedDriver();
    private Backend backend;

    @BeforeEach
    void open() {
        backend = Backend.open(ScriptedDriver.provider(driver, Capability.STATS),
                new BackendContext<>(new ScriptedDriver.NoSettings(), stateDir, stateDir.resolve("cache")));
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private SandboxSpec.Builder spec(String... argv) {
        return SandboxSpec.builder(Path.of("/rootfs")).command(argv);
    }

    @Test
    void runReturnsExitOutputTimingsAndStatsAndLeavesNothing() throws Exception {
        RunResult result = backend.run(spec("exit", "3", "out", "err").build());
        assertEquals(ExitStatus.exited(3), result.exit());
        assertEquals("out", result.stdout().text());
        assertEquals("err", result.stderr().text());
        assertEquals(List.of("create", "start", "run", "destroy"), List.copyOf(result.timings().nanos().keySet()));
        assertEquals(2L, result.stats().memoryBytes());
        assertTrue(result.sandboxId().matches("isolab-scripted-[0-9a-f]{10}"), result.sandboxId());
        assertTrue(driver.host.isEmpty());
        assertEquals(List.of(result.sandboxId()), driver.destroyed);
        assertFalse(Files.exists(stateDir.resolve("sandboxes").resolve(result.sandboxId())));
        assertFalse(Files.exists(stateDir.resolve("leases").resolve(result.sandboxId())));
    }

    @Test
    void timeoutKillsAndSaysSo() throws Exception {
        RunResult result = backend.run(spec("hang").timeout(Duration.ofMillis(50)).build());
        assertTrue(result.timedOut());
        assertEquals(ExitStatus.killed(9), result.exit());
        assertFalse(result.success());
    }

    @Test
    void outputBeyondTheLimitIsCountedNotKept() throws Exception {
        RunResult result = backend.run(spec("exit", "0", "0123456789").outputLimitBytes(4).build());
        assertEquals("0123", result.stdout().text());
        assertEquals(10, result.stdout().totalBytes());
        assertTrue(result.stdout().truncated());
    }

    @Test
    void undeclaredCapabilityFailsBeforeAnythingIsCreated() {
        UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                () -> backend.create(spec("exit", "0").memory(64L << 20).build()));
        assertEquals(Capability.MEMORY_LIMIT, e.capability());
        assertTrue(e.getMessage().contains("limits.memory"), e.getMessage());
        assertTrue(driver.host.isEmpty());
        assertTrue(driver.destroyed.isEmpty());
    }

    @Test
    void undeclaredOperationsFailNamingTheCapability() throws Exception {
        try (Sandbox sandbox = backend.create(spec("hang").build())) {
            sandbox.start();
            assertEquals(Capability.EXEC, assertThrows(UnsupportedCapabilityException.class,
                    () -> sandbox.exec(ProcessSpec.of("exit", "0"))).capability());
            assertEquals(Capability.PAUSE, assertThrows(UnsupportedCapabilityException.class, sandbox::pause).capability());
            assertEquals(1L, sandbox.stats().cpuNanos());
        }
    }

    @Test
    void aFailedCreateLeavesNoDirectoryOrLease() throws IOException {
        assertThrows(SandboxStartException.class, () -> backend.create(spec("fail-create").build()));
        try (var dirs = Files.list(stateDir.resolve("sandboxes"))) {
            assertEquals(0, dirs.count());
        }
        try (var leases = Files.list(stateDir.resolve("leases"))) {
            assertEquals(0, leases.count());
        }
    }

    @Test
    void lifecycleOrderIsEnforced() throws Exception {
        try (Sandbox sandbox = backend.create(spec("exit", "0").build())) {
            assertThrows(IllegalStateException.class, sandbox::waitFor);
            sandbox.start();
            assertThrows(IllegalStateException.class, sandbox::start);
            RunResult first = sandbox.waitFor();
            assertEquals(first, sandbox.waitFor());
            sandbox.close();
            sandbox.close();
            assertEquals(Sandbox.State.DESTROYED, sandbox.state());
        }
    }

    @Test
    void gcReclaimsOnlyResourcesWithoutALiveLease() throws Exception {
        try (Sandbox live = backend.create(spec("hang").build())) {
            live.start();
            driver.host.add(new io.isolab.api.spi.HostResource("thing", "left-by-a-dead-jvm", "isolab-scripted-dead"));
            Files.createDirectories(stateDir.resolve("sandboxes/isolab-scripted-dead"));
            GcReport report = backend.gc();
            assertEquals(2, report.removed().size(), report.toString());
            assertTrue(report.removed().stream().allMatch(r -> r.sandboxId().equals("isolab-scripted-dead")));
            assertEquals(1, driver.host.size(), "the live sandbox's resource stays");
            assertTrue(Files.isDirectory(stateDir.resolve("sandboxes").resolve(live.id())));
        }
    }

    @Test
    void deleteTreeRefusesToCrossIntoAMount() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "mounting a tmpfs needs root");
        Path dir = stateDir.resolve("sandboxes/isolab-scripted-mounted");
        Path mountPoint = Files.createDirectories(dir.resolve("merged"));
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "isolab-test", mountPoint.toString())
                .inheritIO().start().waitFor());
        try {
            Files.writeString(mountPoint.resolve("precious"), "kept");
            Exception e = assertThrows(java.io.UncheckedIOException.class, () -> Backend.deleteTree(dir));
            assertTrue(e.getMessage().contains("mount point"), e.getMessage());
            assertEquals("kept", Files.readString(mountPoint.resolve("precious")));
        } finally {
            new ProcessBuilder("umount", mountPoint.toString()).inheritIO().start().waitFor();
        }
        Backend.deleteTree(dir);
        assertFalse(Files.exists(dir));
    }
}
