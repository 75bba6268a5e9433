package io.isolab.backend.linuxns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isolab.api.Capability;
import io.isolab.api.ExitStatus;
import io.isolab.api.NetworkMode;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backend;
import io.isolab.api.host.Backends;
import io.isolab.api.host.Sandbox;
import io.isolab.api.spi.BackendContext;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The defaults as root. Namespaces: pid, mount, uts, ipc, net and cgroup always; user and time only for a
 * spec that requires them, the user namespace then mapping root inside to an unprivileged uid outside.
 * The copy-on-write layer in memory: nothing of it on the host, and bounded by the memory limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinuxNsDefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NS_LINK = Pattern.compile("\\w+:\\[(\\d+)]");

    private Backends backends;
    private Backend backend;
    private Path rootfs;

    @BeforeAll
    void open() {
        assumeTrue("root".equals(System.getProperty("user.name")), "the defaults as root");
        IsolabConfig config = IsolabConfig.standard();
        rootfs = WorkloadRootfs.ensure(config.cacheDir());
        backends = Backends.of(config, List.of(new LinuxNsProvider()));
        backend = backends.open("linux-ns");
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    @Test
    void byDefaultNoUserOrTimeNamespace() throws Exception {
        JsonNode seen = inspect(SandboxSpec.builder(rootfs).command(Probe.PATH_IN_ROOTFS, "inspect")
                .network(NetworkMode.NONE));
        for (String ns : List.of("pid", "mnt", "uts", "ipc", "net", "cgroup")) {
            assertNotEquals(hostInode(ns), seen.path("ns").path(ns).asLong(-1), ns + ": " + seen.path("ns"));
        }
        assertEquals(hostInode("user"), seen.path("ns").path("user").asLong(-1), "user: " + seen.path("ns"));
        if (Files.exists(Path.of("/proc/self/ns/time"))) {
            assertEquals(hostInode("time"), seen.path("ns").path("time").asLong(-1), "time: " + seen.path("ns"));
        }
    }

    @Test
    void aSpecThatRequiresThemGetsThem() throws Exception {
        SandboxSpec.Builder spec = SandboxSpec.builder(rootfs).command(Probe.PATH_IN_ROOTFS, "inspect")
                .require(Capability.USER_ISOLATION);
        boolean time = Files.exists(Path.of("/proc/self/ns/time"));
        if (time) {
            spec.require(Capability.TIME_ISOLATION);
        }
        JsonNode seen = inspect(spec);
        assertNotEquals(hostInode("user"), seen.path("ns").path("user").asLong(-1), "user: " + seen.path("ns"));
        if (time) {
            assertNotEquals(hostInode("time"), seen.path("ns").path("time").asLong(-1), "time: " + seen.path("ns"));
        }
        // when-required maps ids: root inside is not root outside
        String rootLine = seen.path("uid_map").path(0).asText();
        assertEquals("0", rootLine.split(" ")[0], "uid_map " + seen.path("uid_map"));
        assertNotEquals("0", rootLine.split(" ")[1], "uid_map " + seen.path("uid_map"));
    }

    @Test
    void theCopyOnWriteLayerIsMemoryBoundedByTheLimit() throws Exception {
        RunResult small = backend.run(SandboxSpec.builder(rootfs).command(Probe.PATH_IN_ROOTFS, "io", "4", "/")
                .memory(32L << 20).build());
        assertEquals(ExitStatus.exited(0), small.exit(), small.stderr().text());
        RunResult big = backend.run(SandboxSpec.builder(rootfs).command(Probe.PATH_IN_ROOTFS, "io", "96", "/")
                .memory(32L << 20).build());
        assertNotEquals(ExitStatus.exited(0), big.exit(), "wrote 96 MiB to its root with a 32 MiB limit: "
                + big.stdout().text());
    }

    @Test
    void theCopyOnWriteLayerCanBeOnDisk() throws Exception {
        IsolabConfig config = IsolabConfig.standard();
        LinuxNsSettings disk = new LinuxNsSettings(null, null, null, null, null, null, OverlayUpper.DISK);
        try (Backend onDisk = Backend.open(new LinuxNsProvider(),
                new BackendContext<>(disk, config.stateDir(), config.cacheDir()))) {
            Sandbox sandbox = onDisk.create(SandboxSpec.builder(rootfs)
                    .command(Probe.PATH_IN_ROOTFS, "write-file", "/written", "on disk").build());
            Path upper = config.stateDir().resolve("sandboxes").resolve(sandbox.id()).resolve("upper");
            try {
                sandbox.start();
                assertEquals(ExitStatus.exited(0), sandbox.waitFor().exit());
                assertEquals("on disk", Files.readString(upper.resolve("written")).strip());
            } finally {
                sandbox.close();
            }
            assertFalse(Files.exists(upper.getParent()), "layers left");
        }
    }

    private JsonNode inspect(SandboxSpec.Builder spec) throws Exception {
        RunResult r = backend.run(spec.build());
        assertEquals(ExitStatus.exited(0), r.exit(), r.stderr().text());
        return JSON.readTree(r.stdout().text());
    }

    private static long hostInode(String ns) throws Exception {
        Matcher m = NS_LINK.matcher(Files.readSymbolicLink(Path.of("/proc/self/ns", ns)).toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}
