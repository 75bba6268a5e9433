package io.isolab.api.contract;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isolab.api.host.Backend;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.Capability;
import io.isolab.api.ExitStatus;
import io.isolab.api.host.GcReport;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.Limits;
import io.isolab.api.Mount;
import io.isolab.api.NetworkMode;
import io.isolab.api.ProcessSpec;
import io.isolab.api.RunResult;
import io.isolab.api.host.Sandbox;
import io.isolab.api.host.SandboxProcess;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.SandboxStats;
import io.isolab.api.Timings;
import io.isolab.api.UnsupportedCapabilityException;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.spi.BackendProvider;
import io.isolab.api.spi.HostResource;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every backend passes, run by each backend module over its own provider (as Netty runs one
 * socket test suite over every transport):
 *
 * <pre>{@code
 * class ChrootContractTest extends BackendContract {
 *     protected BackendProvider<?> provider() { return new ChrootProvider(); }
 * }
 * }</pre>
 *
 * <p>When the backend cannot run here, every test is skipped with the availability probe's reason. A test
 * that depends on a capability is skipped, with the capability as the reason, when the backend does not
 * declare it; and for every capability it does not declare, a test checks that asking for it really fails
 * before anything runs. Everything runs the real probe from the workload rootfs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class BackendContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Capability> ISOLATION = java.util.EnumSet.of(Capability.FILESYSTEM_ROOT,
            Capability.MOUNT_ISOLATION, Capability.PID_ISOLATION, Capability.NETWORK_ISOLATION,
            Capability.IPC_ISOLATION, Capability.UTS_ISOLATION, Capability.USER_ISOLATION,
            Capability.CGROUP_ISOLATION, Capability.TIME_ISOLATION, Capability.SEPARATE_KERNEL);
    /** A bound on every sandbox of this suite, so that a hang fails one test instead of the run. */
    private static final Duration SAFETY_TIMEOUT = Duration.ofSeconds(90);

    private IsolabConfig config;
    private BackendUnderTest opened;
    private Backend backend;
    private BackendDescriptor descriptor;
    private Path marker;
    private Path rootfs;

    /** The backend under test. */
    protected abstract BackendProvider<?> provider();

    /** The config the backend is opened with: by default the standard one (shared state dir, so leases are seen by every isolab process on the host). */
    protected IsolabConfig config() {
        return IsolabConfig.standard();
    }

    /** The workload rootfs on the backend's host. */
    protected Path rootfs() {
        if (rootfs == null) {
            rootfs = WorkloadRootfs.ensure(config().cacheDir());
        }
        return rootfs;
    }

    /** The probe's path inside {@link #rootfs()}. */
    protected String probe() {
        return Probe.PATH_IN_ROOTFS;
    }

    /**
     * The network interfaces of the host the sandboxes run on, which a sandbox sharing the host's network must
     * see; by default this JVM's host. A backend that drives another machine (the jail bridge over SSH) asks it.
     */
    protected Set<String> hostInterfaces() {
        return HostView.interfaces();
    }

    /** The loopback interface's name where the workload runs: {@code lo} on Linux, {@code lo0} on FreeBSD. */
    protected String loopbackInterface() {
        return "lo";
    }

    /** Memory limit used by the memory test; the VM backend needs room for a guest kernel. */
    protected long memoryLimitForTest() {
        return 64L << 20;
    }

    @BeforeAll
    final void openBackend() {
        config = config();
        opened = BackendUnderTest.openOrSkip(config, provider());
        backend = opened.backend();
        descriptor = opened.descriptor();
        marker = opened.marker();
    }

    @AfterAll
    final void closeBackend() {
        if (opened != null) {
            opened.close();
        }
    }

    // ---------------------------------------------------------------- the mandatory core

    @Test
    final void runsAProcessToCompletion() throws Exception {
        RunResult result = backend.run(spec("true").build());
        assertEquals(ExitStatus.exited(0), result.exit(), () -> describe(result));
        assertTrue(result.success());
        assertFalse(result.timedOut());
        assertFalse(result.oomKilled());
        assertTrue(result.sandboxId().startsWith("isolab-" + descriptor.id() + "-"), result.sandboxId());
        assertEquals(descriptor.id(), result.backendId());
        for (String phase : List.of(Timings.CREATE, Timings.START, Timings.RUN, Timings.DESTROY)) {
            assertTrue(result.timings().get(phase) > 0, () -> "phase " + phase + " missing: " + result.timings());
        }
        assertNothingLeft(result.sandboxId());
    }

    @Test
    final void passesTheExitCodeThrough() throws Exception {
        RunResult result = backend.run(spec("exit", "7").build());
        assertEquals(ExitStatus.exited(7), result.exit(), () -> describe(result));
        assertFalse(result.success());
    }

    @Test
    final void reportsTheSignalThatKilledTheProcess() throws Exception {
        RunResult result = backend.run(spec("segv").build());
        assertEquals(ExitStatus.killed(11), result.exit(), () -> describe(result));
        assertEquals(139, result.exit().shellStatus());
    }

    @Test
    final void keepsStdoutAndStderrApart() throws Exception {
        RunResult result = backend.run(spec("print", "to stdout", "to stderr").build());
        assertEquals("to stdout\n", result.stdout().text(), () -> describe(result));
        assertEquals("to stderr\n", result.stderr().text(), () -> describe(result));
        assertFalse(result.stdout().truncated());
    }

    @Test
    final void givesExactlyTheSpecifiedEnvironment() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("ISOLAB_A", "one two");
        env.put("ISOLAB_B", "x=y");
        RunResult result = backend.run(spec("env").env(env).build());
        Set<String> lines = new TreeSet<>(result.stdout().text().lines().toList());
        assertEquals(new TreeSet<>(List.of("PATH=/usr/bin:/bin", "ISOLAB_A=one two", "ISOLAB_B=x=y")), lines,
                () -> describe(result));
    }

    @Test
    final void runsInTheSpecifiedWorkingDirectory() throws Exception {
        RunResult result = backend.run(spec("pwd").cwd("/tmp").build());
        assertEquals("/tmp", result.stdout().text().strip(), () -> describe(result));
    }

    @Test
    final void boundsCapturedOutputAndCountsTheRest() throws Exception {
        int limit = 64 * 1024;
        RunResult result = backend.run(spec("flood", "8").outputLimitBytes(limit).build());
        assertEquals(ExitStatus.exited(0), result.exit(), () -> describe(result));
        assertTrue(result.stdout().truncated());
        assertEquals(limit, result.stdout().bytes().length);
        assertEquals(8L << 20, result.stdout().totalBytes());
    }

    @Test
    final void killsAWorkloadThatOutlivesItsTimeout() throws Exception {
        long t0 = System.nanoTime();
        RunResult result = backend.run(spec("spin").timeout(Duration.ofSeconds(1)).build());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(result.timedOut(), () -> describe(result));
        assertTrue(result.exit().signaled(), () -> describe(result));
        assertFalse(result.success());
        assertTrue(seconds < 60, "timed out after " + seconds + " s, not about 1 s");
        assertNothingLeft(result.sandboxId());
    }

    @Test
    final void reportsAKillFromOutside() throws Exception {
        try (Sandbox sandbox = backend.create(spec("sleep", "600000").build())) {
            sandbox.start();
            sandbox.kill(9);
            RunResult result = sandbox.waitFor();
            assertEquals(ExitStatus.killed(9), result.exit(), () -> describe(result));
            assertFalse(result.timedOut());
        }
    }

    @Test
    final void namesAMissingCommand() {
        SandboxSpec spec = SandboxSpec.builder(rootfs()).command("/no/such/command").timeout(SAFETY_TIMEOUT).build();
        SandboxStartException e = assertThrows(SandboxStartException.class, () -> backend.run(spec));
        assertEquals(SandboxStartException.Kind.COMMAND_NOT_FOUND, e.kind(), e::getMessage);
        assertTrue(e.getMessage().contains("/no/such/command"), e.getMessage());
    }

    @Test
    final void namesACommandThatCannotBeExecuted() {
        SandboxSpec spec = SandboxSpec.builder(rootfs()).command("/etc/passwd").timeout(SAFETY_TIMEOUT).build();
        SandboxStartException e = assertThrows(SandboxStartException.class, () -> backend.run(spec));
        assertEquals(SandboxStartException.Kind.NOT_EXECUTABLE, e.kind(), e::getMessage);
        assertTrue(e.getMessage().contains("/etc/passwd"), e.getMessage());
    }

    @Test
    final void namesAMissingRootfs() {
        SandboxSpec spec = SandboxSpec.builder(Path.of("/no/such/isolab-rootfs")).command(probe(), "true").build();
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> backend.create(spec));
        assertEquals("rootfs", e.field());
        assertTrue(e.getMessage().contains("/no/such/isolab-rootfs"), e.getMessage());
    }

    @Test
    final void refusesMalformedSpecsByField() {
        assertEquals("process.argv", assertThrows(InvalidSpecException.class,
                () -> SandboxSpec.builder(rootfs()).build()).field());
        assertEquals("limits.memory", assertThrows(InvalidSpecException.class,
                () -> spec("true").memory(1024).build()).field());
        assertEquals("process.cwd", assertThrows(InvalidSpecException.class,
                () -> spec("true").cwd("relative").build()).field());
        assertEquals("rootfs", assertThrows(InvalidSpecException.class,
                () -> SandboxSpec.builder(Path.of("relative")).command("x").build()).field());
    }

    @Test
    final void closeIsIdempotentAndLeavesNothing() throws Exception {
        Sandbox sandbox = backend.create(spec("sleep", "600000").build());
        sandbox.start();
        assertEquals(Sandbox.State.RUNNING, sandbox.state());
        assertTrue(inventoryOf(sandbox.id()).size() + (Files.isDirectory(sandboxDir(sandbox.id())) ? 1 : 0) > 0,
                "a running sandbox should be visible on the host");
        sandbox.close();
        sandbox.close();
        assertEquals(Sandbox.State.DESTROYED, sandbox.state());
        assertNothingLeft(sandbox.id());
    }

    @Test
    final void closingANeverStartedSandboxLeavesNothing() {
        Sandbox sandbox = backend.create(spec("true").build());
        sandbox.close();
        assertNothingLeft(sandbox.id());
    }

    @Test
    final void reclaimsWhatAKilledOwnerLeft() throws Exception {
        Process owner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrphanMaker.class.getName(), getClass().getName())
                .redirectErrorStream(true).start();
        String sandboxId = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith(OrphanMaker.READY)) {
                    sandboxId = line.substring(OrphanMaker.READY.length());
                    break;
                }
            }
            assertNotNull(sandboxId, () -> "the owner JVM never started its sandbox:\n" + String.join("\n", lines));
            owner.destroyForcibly();
            owner.waitFor();
        } finally {
            owner.destroyForcibly();
        }
        GcReport report = backend.gc();
        String id = sandboxId;
        assertTrue(report.removed().stream().anyMatch(r -> r.sandboxId().equals(id)),
                () -> "gc did not reclaim " + id + ": " + report);
        assertTrue(report.failures().isEmpty(), () -> "gc failures: " + report.failures());
        assertNothingLeft(id);
    }

    @TestFactory
    final Stream<DynamicTest> refusesEveryUndeclaredCapabilityBeforeRunning() {
        return Arrays.stream(Capability.values()).filter(c -> !descriptor.has(c)).map(c ->
                DynamicTest.dynamicTest("refuses " + c.key(), () -> {
                    UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                            () -> asking(c));
                    assertEquals(c, e.capability());
                    assertTrue(e.getMessage().contains(c.key()), e.getMessage());
                }));
    }

    // ---------------------------------------------------------------- capabilities

    @TestFactory
    final Stream<DynamicTest> isolatesWhatItDeclares() throws Exception {
        SandboxSpec.Builder b = spec("inspect", "--marker", marker.toString());
        if (descriptor.has(Capability.UTS_ISOLATION)) {
            b.hostname("isolab-contract");
        }
        if (descriptor.has(Capability.NETWORK_ISOLATION)) {
            b.network(NetworkMode.NONE);
        }
        // A backend may leave a costly isolation out of its defaults (a user namespace as root): asked for
        // through requires, every declared one must be delivered.
        ISOLATION.stream().filter(descriptor::has).forEach(b::require);
        RunResult result = backend.run(b.build());
        assertEquals(ExitStatus.exited(0), result.exit(), () -> describe(result));
        JsonNode seen = JSON.readTree(result.stdout().text());
        Map<Capability, Runnable> checks = new LinkedHashMap<>();
        checks.put(Capability.FILESYSTEM_ROOT, () -> {
            assertFalse(seen.path("marker_visible").asBoolean(true), "the host's marker file is visible: " + seen);
            assertTrue(seen.path("root_listing").toString().contains("\"usr\""), "not the workload rootfs: " + seen);
        });
        checks.put(Capability.PID_ISOLATION, () -> {
            assertTrue(seen.path("pid").asInt() <= 2, "pid " + seen.path("pid") + " is not 1 or an init's child");
            assertTrue(seen.path("processes").asInt(Integer.MAX_VALUE) < Math.min(10, HostView.processes()),
                    "sees " + seen.path("processes") + " processes; the host has " + HostView.processes());
        });
        checks.put(Capability.NETWORK_ISOLATION, () ->
                assertEquals("[\"" + loopbackInterface() + "\"]", seen.path("interfaces").toString(),
                        "interfaces with network none"));
        checks.put(Capability.UTS_ISOLATION, () -> assertEquals("isolab-contract", seen.path("hostname").asText()));
        checks.put(Capability.SEPARATE_KERNEL, () ->
                assertNotEquals(HostView.bootId(), seen.path("boot_id").asText(), "same boot id as the host"));
        Map<Capability, String> namespaces = Map.of(Capability.MOUNT_ISOLATION, "mnt", Capability.IPC_ISOLATION, "ipc",
                Capability.USER_ISOLATION, "user", Capability.CGROUP_ISOLATION, "cgroup", Capability.TIME_ISOLATION, "time");
        // Inode numbers name namespaces only within one kernel: every Linux kernel gives its initial namespaces
        // the same fixed numbers (PROC_IPC_INIT_INO ...), so a guest kernel's look like the host's. A sandbox on
        // a kernel of its own (another boot id) cannot share a namespace with the host.
        JsonNode bootId = seen.path("boot_id");
        boolean otherKernel = bootId.isTextual() && !bootId.asText().isEmpty() && !bootId.asText().equals(HostView.bootId());
        namespaces.forEach((capability, ns) -> checks.put(capability, () -> {
            if (!otherKernel) {
                assertNotEquals(HostView.namespaceInode(ns), seen.path("ns").path(ns).asLong(-1),
                        ns + " namespace is the host's: " + seen.path("ns"));
            }
        }));
        // pid and net namespaces differ too wherever the backend is Linux-based
        return checks.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey().key(), () -> {
            assumeTrue(descriptor.has(e.getKey()), "backend does not declare " + e.getKey().key());
            e.getValue().run();
        }));
    }

    @Test
    final void enforcesTheMemoryLimit() throws Exception {
        requireCapability(Capability.MEMORY_LIMIT);
        long limit = memoryLimitForTest();
        RunResult result = backend.run(spec("alloc", String.valueOf(4 * (limit >> 20))).memory(limit).build());
        assertFalse(result.success(), () -> "allocated 4x the limit: " + describe(result));
        assertTrue(result.oomKilled() || (result.exit().code() == 3 && result.stderr().text().contains("cannot allocate")),
                () -> "neither OOM-killed nor refused the allocation: " + describe(result));
    }

    @Test
    final void enforcesThePidsLimit() throws Exception {
        requireCapability(Capability.PIDS_LIMIT);
        SandboxSpec.Builder b = spec("forkbomb", "1000").maxPids(32);
        if (descriptor.has(Capability.RUN_AS_USER)) {
            b.user("nobody"); // per-user process limits (RLIMIT_NPROC) do not bind root
        }
        RunResult result = backend.run(b.build());
        assertEquals(ExitStatus.exited(0), result.exit(), () -> describe(result));
        JsonNode bomb = JSON.readTree(result.stdout().text());
        assertTrue(bomb.path("limit_hit").asBoolean(), () -> "fork never failed: " + bomb);
        assertTrue(bomb.path("forked").asInt() < 32, () -> "forked past the limit: " + bomb);
    }

    @Test
    final void enforcesTheCpuLimit() throws Exception {
        requireCapability(Capability.CPU_LIMIT);
        RunResult result = backend.run(spec("burn", "2000").cpus(0.25).build());
        assertEquals(ExitStatus.exited(0), result.exit(), () -> describe(result));
        JsonNode burn = JSON.readTree(result.stdout().text());
        double share = burn.path("cpu_ms").asDouble() / burn.path("wall_ms").asDouble();
        // An upper bound only: a busy host lowers the share too, but nothing but the limit keeps it from ~1.
        assertTrue(share < 0.45, () -> "a 0.25-cpu sandbox used " + share + " of a core: " + burn);
    }

    @Test
    final void runsAsTheRequestedUser() throws Exception {
        requireCapability(Capability.RUN_AS_USER);
        RunResult result = backend.run(spec("inspect").user("nobody").build());
        JsonNode seen = JSON.readTree(result.stdout().text());
        assertEquals(65534, seen.path("uid").asInt(), () -> describe(result));
        assertEquals(65534, seen.path("euid").asInt());
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> backend.run(spec("true").user("no-such-isolab-user").build()));
        assertEquals("process.user", e.field());
    }

    @Test
    final void mountsHostDirectoriesAsAsked() throws Exception {
        requireCapability(Capability.BIND_MOUNTS);
        Path dir = Files.createTempDirectory("isolab-mount-");
        try {
            Files.writeString(dir.resolve("hello"), "from the host");
            RunResult read = backend.run(spec("read-file", "/mnt/host/hello").mount(new Mount(dir, "/mnt/host", true)).build());
            assertEquals("from the host", read.stdout().text(), () -> describe(read));
            RunResult write = backend.run(spec("write-file", "/mnt/host/x", "y").mount(new Mount(dir, "/mnt/host", true)).build());
            assertEquals(1, write.exit().code(), () -> "wrote through a read-only mount: " + describe(write));
            assertFalse(Files.exists(dir.resolve("x")));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    final void mountsTheRootReadOnlyWhenAsked() throws Exception {
        requireCapability(Capability.READ_ONLY_ROOT);
        RunResult result = backend.run(spec("write-file", "/isolab-ro-test", "x").readOnlyRoot(true).build());
        assertEquals(1, result.exit().code(), () -> describe(result));
        assertTrue(result.stderr().text().contains("Read-only file system"), () -> describe(result));
    }

    @Test
    final void sharesTheHostNetworkWhenAsked() throws Exception {
        requireCapability(Capability.HOST_NETWORK);
        RunResult result = backend.run(spec("inspect").network(NetworkMode.HOST).build());
        JsonNode seen = JSON.readTree(result.stdout().text());
        Set<String> inside = new TreeSet<>();
        seen.path("interfaces").forEach(n -> inside.add(n.asText()));
        assertEquals(hostInterfaces(), inside, () -> describe(result));
    }

    @Test
    final void execsIntoARunningSandbox() throws Exception {
        requireCapability(Capability.EXEC);
        try (Sandbox sandbox = backend.create(spec("sleep", "600000").build())) {
            sandbox.start();
            SandboxProcess process = sandbox.exec(ProcessSpec.of(probe(), "print", "exec out", "exec err"));
            RunResult result = process.waitFor();
            assertEquals(ExitStatus.exited(0), result.exit(), () -> describe(result));
            assertEquals("exec out\n", result.stdout().text());
            assertEquals("exec err\n", result.stderr().text());
            assertEquals(Sandbox.State.RUNNING, sandbox.state());
        }
    }

    @Test
    final void reportsUsage() throws Exception {
        requireCapability(Capability.STATS);
        try (Sandbox sandbox = backend.create(spec("alloc", "16", "--hold", "600000").build())) {
            sandbox.start();
            SandboxStats stats = null;
            for (int i = 0; i < 100; i++) {
                stats = sandbox.stats();
                if (stats.memoryBytes() != null && stats.memoryBytes() >= (16L << 20)) {
                    break;
                }
                Thread.sleep(100);
            }
            SandboxStats last = stats;
            assertNotNull(last);
            assertTrue(last.memoryBytes() != null && last.memoryBytes() >= (16L << 20),
                    () -> "16 MiB allocated, memory reported: " + last);
            assertTrue(last.cpuNanos() != null && last.cpuNanos() > 0, () -> "cpu: " + last);
            sandbox.kill(9);
            RunResult result = sandbox.waitFor();
            assertNotNull(result.stats(), "the result carries the final usage");
        }
    }

    @Test
    final void pausesAndResumes() throws Exception {
        requireCapability(Capability.PAUSE);
        requireCapability(Capability.STATS);
        try (Sandbox sandbox = backend.create(spec("spin").build())) {
            sandbox.start();
            Thread.sleep(300);
            sandbox.pause();
            Thread.sleep(100);
            long paused = sandbox.stats().cpuNanos();
            Thread.sleep(500);
            long stillPaused = sandbox.stats().cpuNanos();
            assertTrue(stillPaused - paused < TimeUnit.MILLISECONDS.toNanos(50),
                    () -> "used " + (stillPaused - paused) / 1_000_000 + " ms of cpu while paused");
            sandbox.resume();
            Thread.sleep(500);
            long resumed = sandbox.stats().cpuNanos();
            assertTrue(resumed - stillPaused > TimeUnit.MILLISECONDS.toNanos(100),
                    () -> "used only " + (resumed - stillPaused) / 1_000_000 + " ms of cpu after resume");
        }
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /** A spec running the probe with {@code args}, bounded by a safety timeout. */
    protected final SandboxSpec.Builder spec(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(probe());
        argv.addAll(List.of(args));
        return SandboxSpec.builder(rootfs()).command(argv).timeout(SAFETY_TIMEOUT);
    }

    protected final Backend backend() {
        return backend;
    }

    protected final BackendDescriptor descriptor() {
        return descriptor;
    }

    /** Path of the host-only marker file: a sandbox with a root of its own must not see it. */
    protected final Path marker() {
        return marker;
    }

    protected final void requireCapability(Capability capability) {
        assumeTrue(descriptor.has(capability), "backend does not declare " + capability.key());
    }

    /** Asserts that nothing of the sandbox remains: no host resource, no private directory, no lease. */
    protected final void assertNothingLeft(String sandboxId) {
        assertAll(
                () -> assertEquals(List.of(), inventoryOf(sandboxId), "host resources left by " + sandboxId),
                () -> assertFalse(Files.exists(sandboxDir(sandboxId)), "directory left: " + sandboxDir(sandboxId)),
                () -> assertFalse(Files.exists(config.stateDir().resolve("leases").resolve(sandboxId)), "lease left"));
    }

    protected static String describe(RunResult r) {
        return r.exit() + (r.timedOut() ? ", timed out" : "") + (r.oomKilled() ? ", OOM-killed" : "")
                + "\n--- stdout (" + r.stdout().totalBytes() + " bytes)\n" + clip(r.stdout().text())
                + "\n--- stderr (" + r.stderr().totalBytes() + " bytes)\n" + clip(r.stderr().text());
    }

    private static String clip(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    private List<HostResource> inventoryOf(String sandboxId) {
        return backend.inventory().stream().filter(r -> r.sandboxId().equals(sandboxId)).toList();
    }

    private Path sandboxDir(String sandboxId) {
        return config.stateDir().resolve("sandboxes").resolve(sandboxId);
    }

    /** Creates a sandbox whose spec asks for {@code capability}, the way a user would ask for it. */
    private void asking(Capability capability) {
        SandboxSpec.Builder b = spec("true");
        switch (capability) {
            case MEMORY_LIMIT -> b.memory(64L << 20);
            case CPU_LIMIT -> b.cpus(1);
            case PIDS_LIMIT -> b.maxPids(64);
            case UTS_ISOLATION -> b.hostname("isolab-contract");
            case NETWORK_ISOLATION -> b.network(NetworkMode.NONE);
            case HOST_NETWORK -> b.network(NetworkMode.HOST);
            case RUN_AS_USER -> b.user("nobody");
            case BIND_MOUNTS -> b.mount(new Mount(Path.of("/tmp"), "/mnt", true));
            case READ_ONLY_ROOT -> b.readOnlyRoot(true);
            case EXEC, STATS, PAUSE -> {
                askingOfARunningSandbox(capability);
                return;
            }
            default -> b.require(capability);
        }
        try (Sandbox ignored = backend.create(b.build())) {
            throw new AssertionError("created a sandbox asking for undeclared " + capability.key());
        }
    }

    private void askingOfARunningSandbox(Capability capability) {
        SandboxSpec spec = spec("sleep", "600000").limits(new Limits(null, null, null, SAFETY_TIMEOUT)).build();
        try (Sandbox sandbox = backend.create(spec)) {
            sandbox.start();
            switch (capability) {
                case EXEC -> sandbox.exec(ProcessSpec.of(probe(), "true"));
                case STATS -> sandbox.stats();
                default -> sandbox.pause();
            }
        }
    }
}
