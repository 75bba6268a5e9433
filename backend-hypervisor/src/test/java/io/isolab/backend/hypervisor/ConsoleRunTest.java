package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.Availability;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.spi.BackendContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A console run: the guest booted by a plain qemu-system-x86_64 from nothing but the backend's availability
 * facts, as the benchmarks' raw-QEMU peer boots it, in the least memory the backend accepts. One guest boot.
 */
class ConsoleRunTest {
    private static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    private static final Pattern STATUS = Pattern.compile("isolab-exit (\\S+) exit code=(-?\\d+) signal=(\\d+) oom_kills=\\d+"
            + " init_ns=(\\d+) ready_ns=(\\d+) exec_ns=(\\d+) exit_ns=(\\d+)");

    @Test
    void bootsFromTheFactsAloneAndEndsWithAStatusLineTheWorkloadCannotForge() throws Exception {
        IsolabConfig config = IsolabConfig.standard();
        Availability a = new HypervisorProvider().probe(new BackendContext<>(HypervisorSettings.defaults(), config.stateDir(),
                config.cacheDir()));
        assumeTrue(a.available(), () -> "hypervisor is unavailable here: " + a.reason());
        assumeTrue(Files.isExecutable(QEMU), "no " + QEMU);
        Map<String, String> f = a.facts();
        String nonce = "isolab-test-" + Long.toHexString(System.nanoTime());
        String script = "cat /proc/cmdline; cat /sys/devices/system/clocksource/clocksource0/current_clocksource;"
                + " echo to-stderr >&2; exit 3";
        String argv = Base64.getEncoder().encodeToString(("/bin/sh\0-c\0" + script).getBytes(StandardCharsets.UTF_8));
        List<String> command = new ArrayList<>(List.of(QEMU.toString(), "-machine", f.get("machine") + ",usb=off,acpi=" + f.get("acpi"),
                "-accel", "kvm".equals(f.get("domain-type")) ? "kvm" : "tcg", "-cpu", f.get("cpu"), "-smp", f.get("vcpus"),
                "-m", (Long.parseLong(f.get("memory-minimum")) >> 20) + "M", "-nodefaults", "-no-user-config", "-no-reboot",
                "-display", "none", "-serial", "stdio"));
        for (String device : f.get("devices").split(" ")) {
            command.addAll(List.of("-device", device));
        }
        command.addAll(List.of("-kernel", f.get("kernel"), "-initrd", f.get("initramfs"), "-append",
                f.get("kernel-cmdline").replace("{argv}", argv).replace("{nonce}", nonce)));
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true).start();
        String console;
        try {
            console = new String(qemu.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
            assertTrue(qemu.waitFor(120, TimeUnit.SECONDS), "QEMU did not exit");
        } finally {
            qemu.destroyForcibly();
        }
        List<String> lines = console.lines().toList();
        String status = lines.stream().filter(l -> l.startsWith("isolab-exit ")).findFirst().orElse("");
        Matcher m = STATUS.matcher(status);
        assertTrue(m.matches(), () -> "no status line; console:\n" + console);
        assertEquals(nonce, m.group(1));
        assertEquals("3", m.group(2), console);
        assertEquals("0", m.group(3));
        long init = Long.parseLong(m.group(4));
        long ready = Long.parseLong(m.group(5));
        long exec = Long.parseLong(m.group(6));
        long exit = Long.parseLong(m.group(7));
        assertTrue(0 < init && init < ready && ready <= exec && exec < exit, status);
        List<String> before = lines.subList(0, lines.indexOf(status));
        assertTrue(before.contains("to-stderr"), console);
        assertTrue(before.stream().noneMatch(l -> l.contains(nonce) || l.contains("isolab.argv")),
                () -> "the workload read the kernel command line:\n" + console);
        if (f.getOrDefault("guest-clock", "").startsWith("tsc")) {
            assertTrue(before.stream().anyMatch(l -> l.startsWith("tsc")), () -> "the guest is not on its TSC:\n" + console);
        }
    }
}
