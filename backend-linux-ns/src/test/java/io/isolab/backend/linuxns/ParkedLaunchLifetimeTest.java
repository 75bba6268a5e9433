package io.isolab.backend.linuxns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.ExitStatus;
import io.isolab.api.NetworkMode;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.contract.OrphanMaker;
import io.isolab.api.host.Backend;
import io.isolab.api.host.Backends;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Launches parked ahead by the prepared pool are processes of the JVM that wait on a socket: when the JVM
 * dies, however it dies, they must go with it (their socket's other end closes), not wait forever.
 */
@Timeout(120)
class ParkedLaunchLifetimeTest {
    private static final String PARKED = "isolab-parked";

    @Test
    void parkedLaunchesDieWithTheirJvm() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (the pool serves sandboxes without a user namespace)");
        // a JVM that runs a sandbox (so the pool parks launches for the next ones) and waits to be killed
        Process owner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrphanMaker.class.getName(),
                LinuxNsContractTest.class.getName()).redirectErrorStream(true).start();
        List<Long> parked;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("ISOLAB-ORPHAN-READY")) {
                // the owner's log
            }
            assertNotNull(line, "the owner JVM never started its sandbox");
            parked = awaitParkedChildren(owner.pid());
            owner.destroyForcibly();
            owner.waitFor();
        } finally {
            owner.destroyForcibly();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (parked.stream().anyMatch(ParkedLaunchLifetimeTest::isParked) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(parked.stream().anyMatch(ParkedLaunchLifetimeTest::isParked),
                "parked launches outlived their JVM: " + parked);
        try (Backends backends = Backends.of(IsolabConfig.standard(), List.of(new LinuxNsProvider()));
             Backend backend = backends.open("linux-ns")) {
            assertTrue(backend.gc().failures().isEmpty(), "gc of the killed owner's sandbox");
        }
    }

    @Test
    void aSandboxStartsWhenItsParkedLaunchWasKilled() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (the pool serves sandboxes without a user namespace)");
        IsolabConfig config = IsolabConfig.standard();
        SandboxSpec spec = SandboxSpec.builder(WorkloadRootfs.ensure(config.cacheDir()))
                .command(Probe.PATH_IN_ROOTFS, "true").network(NetworkMode.NONE).build();
        try (Backends backends = Backends.of(config, List.of(new LinuxNsProvider()));
             Backend backend = backends.open("linux-ns")) {
            assertEquals(ExitStatus.exited(0), backend.run(spec).exit()); // the pool now parks for this spec
            List<Long> parked = awaitParkedChildren(ProcessHandle.current().pid());
            parked.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            // dead before the launches: one killed while it reads its launch's message is a workload killed
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (parked.stream().anyMatch(ParkedLaunchLifetimeTest::isParkedAndAlive) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            for (int i = 0; i < parked.size() + 1; i++) {
                RunResult r = backend.run(spec);
                assertEquals(ExitStatus.exited(0), r.exit(), () -> "launch " + r.stderr().text());
            }
        }
    }

    private static List<Long> awaitParkedChildren(long jvm) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Long> found = ProcessHandle.of(jvm).orElseThrow().children().map(ProcessHandle::pid)
                    .filter(ParkedLaunchLifetimeTest::isParked).toList();
            if (!found.isEmpty()) {
                return found;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the owner JVM parked no launch");
    }

    private static boolean isParkedAndAlive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return isParked(pid) && !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }

    private static boolean isParked(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip().equals(PARKED);
        } catch (IOException gone) {
            return false;
        }
    }
}
