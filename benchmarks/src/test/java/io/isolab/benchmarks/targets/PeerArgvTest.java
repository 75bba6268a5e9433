package io.isolab.benchmarks.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isolab.benchmarks.workload.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exact command lines the peers are run with: changing one changes what the figures mean. */
class PeerArgvTest {
    private static final Path ROOTFS = Path.of("/cache/rootfs/workload-1");
    private static final Invocation TRUE = Invocation.bench(List.of("true"), Duration.ofSeconds(5));
    private Path scratch;

    @BeforeEach
    void scratch() throws IOException {
        scratch = Files.createTempDirectory("isolab-argv-test-");
    }

    @AfterEach
    void clean() throws IOException {
        try (var files = Files.walk(scratch)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void native_() {
        assertEquals(List.of("/cache/probe/isolab-probe-1", "true"),
                new NativeTarget(scratch, Path.of("/cache/probe/isolab-probe-1")).argv(TRUE, "isolab-native-00"));
    }

    @Test
    void floor() {
        FloorTarget floor = new FloorTarget(scratch, Path.of("/cache/bench/isolab-bench-launch-1"), ROOTFS);
        assertEquals(List.of("/cache/bench/isolab-bench-launch-1", "floor", "/cache/rootfs/workload-1", "/usr/bin/isolab-probe", "true"),
                floor.argv(TRUE, "isolab-floor-00"));
        assertTrue(floor.unsupported(Workload.STARTUP).isEmpty());
        assertTrue(floor.unsupported(Workload.NET).isPresent());
    }

    @Test
    void crunOnAHybridHostRunsBehindTheCgroup2Hider() throws IOException {
        OciRuntimeTarget crun = new OciRuntimeTarget(OciRuntimeTarget.Flavor.CRUN, Path.of("/usr/bin/crun"), scratch, ROOTFS,
                List.of("/cache/bench/isolab-bench-launch-1", "hide-cgroup2"), "crun version 1.8.1");
        List<String> argv = crun.argv(TRUE, "isolab-crun-0a");
        assertEquals(List.of("/cache/bench/isolab-bench-launch-1", "hide-cgroup2", "/usr/bin/crun", "--root",
                scratch.resolve("crun-state").toString(), "run", "--bundle", scratch.resolve("crun-bundles/isolab-crun-0a").toString(),
                "isolab-crun-0a"), argv);
        assertTrue(Files.isRegularFile(scratch.resolve("crun-bundles/isolab-crun-0a/config.json")));
    }

    @Test
    void runc() throws IOException {
        OciRuntimeTarget runc = new OciRuntimeTarget(OciRuntimeTarget.Flavor.RUNC, Path.of("/usr/sbin/runc"), scratch, ROOTFS,
                List.of(), "runc version 1.1.5");
        assertEquals(List.of("/usr/sbin/runc", "--root", scratch.resolve("runc-state").toString(), "run", "--bundle",
                scratch.resolve("runc-bundles/isolab-runc-0b").toString(), "isolab-runc-0b"), runc.argv(TRUE, "isolab-runc-0b"));
    }

    @Test
    void runscNeedsNoSandboxNetworkAsRoot() throws IOException {
        OciRuntimeTarget runsc = new OciRuntimeTarget(OciRuntimeTarget.Flavor.RUNSC, Path.of("/usr/bin/runsc"), scratch, ROOTFS,
                List.of(), "runsc version 0.0~20221219.0");
        assertEquals(List.of("/usr/bin/runsc", "--root", scratch.resolve("runsc-state").toString(), "--network=none", "run",
                "--bundle", scratch.resolve("runsc-bundles/isolab-runsc-0c").toString(), "isolab-runsc-0c"),
                runsc.argv(TRUE, "isolab-runsc-0c"));
    }

    @Test
    void bwrap() {
        BwrapTarget bwrap = new BwrapTarget(Path.of("/usr/bin/bwrap"), scratch, ROOTFS, "bubblewrap 0.8.0");
        assertEquals(List.of("/usr/bin/bwrap", "--bind", "/cache/rootfs/workload-1", "/", "--proc", "/proc", "--dev", "/dev",
                "--unshare-all", "--die-with-parent", "/usr/bin/isolab-probe", "true"), bwrap.argv(TRUE, "isolab-bwrap-00"));
    }

    /** What the hypervisor backend reports of its guest on this machine (TCG), the paths shortened. */
    static Map<String, String> hypervisorFacts() {
        return Map.ofEntries(Map.entry("kernel", "/cache/vm/vmlinuz"), Map.entry("initramfs", "/cache/vm/0123.cpio"),
                Map.entry("kernel-cmdline", "console=ttyS0 quiet tsc_early_khz=2793438 tsc=reliable rdinit=/isolab/init"
                        + " isolab.argv={argv} isolab.nonce={nonce}"),
                Map.entry("domain-type", "qemu"), Map.entry("machine", "pc"), Map.entry("acpi", "off"),
                Map.entry("cpu", "qemu64"), Map.entry("vcpus", "1"), Map.entry("memory", String.valueOf(256L << 20)),
                Map.entry("memory-minimum", String.valueOf(83L << 20)), Map.entry("devices", "virtio-serial-pci,max_ports=2"));
    }

    @Test
    void rawQemuBootsTheHypervisorBackendsGuestOnItsMachineWithTheCommandOnItsCmdline() {
        QemuTarget qemu = new QemuTarget(Path.of("/usr/bin/qemu-system-x86_64"), scratch, hypervisorFacts(), "QEMU emulator version 7.2.22");
        String encoded = Base64.getEncoder().encodeToString("/usr/bin/isolab-probe\0true".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("/usr/bin/qemu-system-x86_64", "-name", "isolab-qemu-00", "-machine", "pc,usb=off,acpi=off",
                "-accel", "tcg", "-cpu", "qemu64", "-smp", "1", "-m", "512M", "-nodefaults", "-no-user-config", "-no-reboot",
                "-display", "none", "-serial", "stdio", "-device", "virtio-serial-pci,max_ports=2",
                "-kernel", "/cache/vm/vmlinuz", "-initrd", "/cache/vm/0123.cpio", "-append",
                "console=ttyS0 quiet tsc_early_khz=2793438 tsc=reliable rdinit=/isolab/init isolab.argv=" + encoded
                        + " isolab.nonce=isolab-qemu-00"), qemu.argv(TRUE, "isolab-qemu-00"));
    }

    @Test
    void rawQemuTakesTheBackendsDefaultMemoryWhereTheBackendWouldRefuseTheLimit() {
        QemuTarget qemu = new QemuTarget(Path.of("/usr/bin/qemu-system-x86_64"), scratch, hypervisorFacts(), "7.2");
        Invocation small = new Invocation(List.of("true"), 64L << 20, null, Duration.ofSeconds(5), true, null);
        List<String> argv = qemu.argv(small, "isolab-qemu-01");
        assertEquals("256M", argv.get(argv.indexOf("-m") + 1));
        Invocation strict = Invocation.strict(List.of("alloc", "100"), 64L << 20, null, Duration.ofSeconds(5));
        assertThrows(IllegalArgumentException.class, () -> qemu.argv(strict, "isolab-qemu-02"));
    }

    @Test
    void rawQemuIsUnavailableNamingTheFactsItLacks() {
        QemuTarget qemu = new QemuTarget(Path.of("/usr/bin/qemu-system-x86_64"), scratch, Map.of("domain-type", "kvm"), "7.2");
        assertFalse(qemu.availability().available());
        assertTrue(qemu.availability().reason().contains("kernel, initramfs, kernel-cmdline"), qemu.availability().reason());
    }

    @Test
    void theOciBundleIsolatesAndLimitsAsLinuxNsDoes() throws IOException {
        Path file = OciBundleWriter.write(scratch.resolve("b"), ROOTFS, List.of("/usr/bin/isolab-probe", "true"), 64L << 20, 32);
        JsonNode c = new ObjectMapper().readTree(file.toFile());
        assertEquals("/cache/rootfs/workload-1", c.path("root").path("path").asText());
        assertEquals(List.of("/usr/bin/isolab-probe", "true"),
                List.of(c.path("process").path("args").get(0).asText(), c.path("process").path("args").get(1).asText()));
        assertFalse(c.path("process").path("terminal").asBoolean(true));
        assertEquals(64L << 20, c.path("linux").path("resources").path("memory").path("limit").asLong());
        assertEquals(32, c.path("linux").path("resources").path("pids").path("limit").asInt());
        List<String> ns = new java.util.ArrayList<>();
        c.path("linux").path("namespaces").forEach(n -> ns.add(n.path("type").asText()));
        assertEquals(List.of("pid", "network", "ipc", "uts", "mount", "cgroup"), ns);
        assertEquals("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", c.path("process").path("env").get(0).asText());
    }
}
