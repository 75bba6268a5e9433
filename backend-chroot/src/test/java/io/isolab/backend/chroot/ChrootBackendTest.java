package io.isolab.backend.chroot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isolab.api.ExitStatus;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.contract.BackendUnderTest;
import io.isolab.api.host.Backend;
import io.isolab.api.host.Sandbox;
import io.isolab.api.spi.HostResource;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** What is particular to chroot: its root is a directory, not a boundary; its limits are rlimits. */
@Timeout(60)
class ChrootBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IsolabConfig CONFIG = IsolabConfig.standard();
    private static BackendUnderTest opened;
    private static Backend backend;
    private static Path rootfs;
    private static Path marker;

    @BeforeAll
    static void open() {
        opened = BackendUnderTest.openOrSkip(CONFIG, new ChrootProvider());
        backend = opened.backend();
        marker = opened.marker();
        rootfs = WorkloadRootfs.ensure(CONFIG.cacheDir());
    }

    @AfterAll
    static void close() {
        if (opened != null) {
            opened.close();
        }
    }

    private static SandboxSpec.Builder probe(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(Probe.PATH_IN_ROOTFS));
        argv.addAll(List.of(args));
        return SandboxSpec.builder(rootfs).command(argv).timeout(Duration.ofSeconds(30));
    }

    @Test
    void rootCanClimbOutOfTheChroot() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the escape needs CAP_SYS_CHROOT inside");
        RunResult result = backend.run(probe("escape-chroot", "--marker", marker.toString()).build());
        assertEquals(ExitStatus.exited(0), result.exit(), result.stderr()::text);
        JsonNode seen = JSON.readTree(result.stdout().text());
        assertTrue(seen.path("escaped").asBoolean(), () -> "chroot held root in, which it cannot: " + seen);
        assertTrue(seen.path("marker_visible").asBoolean(), () -> "escaped, but the host's marker is not there: " + seen);
        assertFalse(Files.list(rootfs.resolve("tmp")).anyMatch(p -> p.getFileName().toString().startsWith("isolab-escape")),
                "the escape left its directory in the rootfs");
    }

    @Test
    void seesTheRootfsAndNotTheHost() throws Exception {
        RunResult result = backend.run(probe("inspect", "--marker", marker.toString()).build());
        assertEquals(ExitStatus.exited(0), result.exit(), result.stderr()::text);
        JsonNode seen = JSON.readTree(result.stdout().text());
        Set<String> inside = new TreeSet<>();
        seen.path("root_listing").forEach(n -> inside.add(n.asText()));
        Set<String> rootfsListing;
        try (Stream<Path> entries = Files.list(rootfs)) {
            rootfsListing = entries.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(rootfsListing, inside);
        assertFalse(seen.path("marker_visible").asBoolean(true), () -> "the host's marker is visible: " + seen);
        assertEquals("/", seen.path("cwd").asText());
    }

    @Test
    void namesAMissingRootfsAndLeavesNothing() throws Exception {
        InvalidSpecException e = leavesNothing(InvalidSpecException.class,
                () -> backend.create(SandboxSpec.builder(Path.of("/no/such/isolab-rootfs")).command("/bin/true").build()));
        assertEquals("rootfs", e.field());
        assertTrue(e.getMessage().contains("/no/such/isolab-rootfs"), e.getMessage());
    }

    @Test
    void namesAMissingCommandAndLeavesNothing() throws Exception {
        SandboxStartException e = leavesNothing(SandboxStartException.class,
                () -> backend.run(SandboxSpec.builder(rootfs).command("/no/such/command").build()));
        assertEquals(SandboxStartException.Kind.COMMAND_NOT_FOUND, e.kind());
        assertEquals("execve", e.step());
        assertTrue(e.getMessage().contains("/no/such/command"), e.getMessage());
    }

    @Test
    void namesANonExecutableCommandAndLeavesNothing() throws Exception {
        SandboxStartException e = leavesNothing(SandboxStartException.class,
                () -> backend.run(SandboxSpec.builder(rootfs).command("/etc/group").build()));
        assertEquals(SandboxStartException.Kind.NOT_EXECUTABLE, e.kind());
        assertTrue(e.getMessage().contains("/etc/group"), e.getMessage());
    }

    @Test
    void namesAnUnknownUserAndLeavesNothing() throws Exception {
        InvalidSpecException e = leavesNothing(InvalidSpecException.class,
                () -> backend.run(probe("true").user("no-such-isolab-user").build()));
        assertEquals("process.user", e.field());
        assertTrue(e.getMessage().contains("no-such-isolab-user") && e.getMessage().contains("/etc/passwd"), e.getMessage());
    }

    @Test
    void refusesAPidsLimitThatCannotBindRoot() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> backend.create(probe("true").maxPids(10).build()));
        assertEquals("limits.pids", e.field());
        assertTrue(e.getMessage().contains("process.user"), e.getMessage());
        assertThrows(InvalidSpecException.class, () -> backend.create(probe("true").maxPids(10).user("0:0").build()));
    }

    @Test
    void runsAsANumericUserAndAppliesTheOpenFilesLimit() throws Exception {
        RunResult result = backend.run(SandboxSpec.builder(rootfs).command("/bin/sh", "-c", "id -u; id -g; ulimit -n; ulimit -c")
                .user("1234").build());
        assertEquals(List.of("1234", "1234", "1024", "0"), result.stdout().text().lines().toList(), result.stderr()::text);
    }

    @Test
    void destroyKillsWhatTheWorkloadLeftBehind() throws Exception {
        // the main shell is killed from inside its own pipeline; its 'sleep 600' outlives it in the session
        try (Sandbox sandbox = backend.create(SandboxSpec.builder(rootfs)
                .command("/bin/sh", "-c", "sleep 600 | sh -c 'kill -9 $PPID'").build())) {
            sandbox.start();
            RunResult result = sandbox.waitFor();
            assertEquals(ExitStatus.killed(9), result.exit(), result.stderr()::text);
            // the inner sh that killed its parent may still be on its way out when the parent is reaped
            List<HostResource> settling = inventoryOf(sandbox.id());
            for (int i = 0; i < 100 && settling.size() > 1; i++) {
                Thread.sleep(20);
                settling = inventoryOf(sandbox.id());
            }
            List<HostResource> left = settling;
            assertEquals(1, left.size(), () -> "the left-behind sleep: " + left);
            Path proc = Path.of("/proc", left.get(0).name());
            sandbox.close();
            assertEquals(List.of(), inventoryOf(sandbox.id()));
            assertTrue(!Files.exists(proc) || Files.readString(proc.resolve("stat")).contains(") Z "),
                    "the left-behind process survived destroy");
        }
    }

    private static List<HostResource> inventoryOf(String sandboxId) {
        return backend.inventory().stream().filter(r -> r.sandboxId().equals(sandboxId)).toList();
    }

    /** Runs {@code failing}; asserts it threw {@code type} and that no sandbox directory, lease or process remains. */
    private static <T extends Throwable> T leavesNothing(Class<T> type, Executable failing) throws IOException {
        Set<String> dirsBefore = list(CONFIG.stateDir().resolve("sandboxes"));
        Set<String> leasesBefore = list(CONFIG.stateDir().resolve("leases"));
        T thrown = assertThrows(type, failing);
        assertEquals(dirsBefore, list(CONFIG.stateDir().resolve("sandboxes")), "sandbox directories");
        assertEquals(leasesBefore, list(CONFIG.stateDir().resolve("leases")), "leases");
        assertEquals(List.of(), ProcessHandle.current().children().filter(p -> p.info().command()
                .map(c -> !c.contains("java")).orElse(true)).map(ProcessHandle::pid).toList(), "child processes");
        return thrown;
    }

    private static Set<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.contains("chroot"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
