package io.isolab.backend.hypervisor;

import io.isolab.api.Availability;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backend;
import io.isolab.api.spi.BackendContext;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Boot-to-exit of {@code isolab-probe true}: through the backend (libvirt) and with a raw
 * {@code qemu-system-x86_64} started with the same kernel, initramfs, command line and devices, spoken to
 * with the same protocol. Runs alternate between the two (so drift on a shared machine hits both), for
 * each domain type available here. Prints medians and where the time goes.
 *
 * <pre>backend-hypervisor/boot-benchmark.sh [RUNS]</pre>
 *
 * <p>Through the backend the clock runs from {@code Backend.run} to its return: domain create, boot,
 * workload, shutdown, and destroy (which finds the domain gone and removes libvirt's log). Raw, it runs from
 * starting QEMU to QEMU's exit. The raw command line is libvirt's for the same domain minus libvirt's
 * plumbing (monitor, {@code -S}, secrets, sandboxing), as the backend's domain XML defines it.
 */
public final class BootBenchmark {
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    private BootBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        IsolabConfig config = IsolabConfig.standard();
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        System.out.printf(Locale.ROOT, "boot-to-exit of `%s true`, %d runs each, alternating; machine load %s%n",
                Probe.PATH_IN_ROOTFS, runs, Files.readString(Path.of("/proc/loadavg")).trim());
        for (DomainType type : List.of(DomainType.QEMU, DomainType.KVM)) {
            BackendContext<HypervisorSettings> context = new BackendContext<>(
                    HypervisorSettings.defaults().withDomainType(type), config.stateDir(), config.cacheDir());
            HostCheck.Report host = HostCheck.run(context);
            Availability availability = host.availability();
            if (!availability.available()) {
                System.out.printf("%n%s: not measured: %s%n", type.key(), availability.reason());
                continue;
            }
            measure(context, host, rootfs, runs);
        }
    }

    private static void measure(BackendContext<HypervisorSettings> context, HostCheck.Report host, Path rootfs, int runs)
            throws Exception {
        SandboxSpec spec = SandboxSpec.builder(rootfs).command(Probe.PATH_IN_ROOTFS, "true").build();
        Path initrd = Initramfs.ensure(context.cacheDir(), rootfs, host.modules(), context.settings().defaultMemory());
        RawQemu raw = new RawQemu(host, context.settings(), initrd);
        Samples viaLibvirt = new Samples();
        Samples viaQemu = new Samples();
        try (Backend backend = Backend.open(new HypervisorProvider(), context)) {
            backend.run(spec); // warm-up: caches, libvirt's first domain
            raw.run(spec);
            for (int i = 0; i < runs; i++) {
                if (i % 2 == 0) {
                    viaLibvirt.add(libvirtRun(backend, spec));
                    viaQemu.add(raw.run(spec));
                } else {
                    viaQemu.add(raw.run(spec));
                    viaLibvirt.add(libvirtRun(backend, spec));
                }
            }
        }
        double ratio = viaLibvirt.median("total") / viaQemu.median("total");
        System.out.printf(Locale.ROOT, "%ndomain type %s, guest kernel %s, machine %s, %d MiB, %d vCPU%n",
                host.domainType(), host.kernel().release(), context.settings().machine(),
                context.settings().defaultMemory() >> 20, context.settings().vcpus());
        System.out.printf(Locale.ROOT, "  libvirt (isolab backend) median %7.0f ms   %s%n", viaLibvirt.median("total"), viaLibvirt.runs());
        System.out.printf(Locale.ROOT, "  raw qemu-system-x86_64   median %7.0f ms   %s%n", viaQemu.median("total"), viaQemu.runs());
        System.out.printf(Locale.ROOT, "  ratio %.2f (target <= 1.30)%n", ratio);
        System.out.println("  breakdown, medians in ms:");
        System.out.println("    libvirt: " + viaLibvirt.medians());
        System.out.println("    raw:     " + viaQemu.medians());
        System.out.println("  raw command: " + String.join(" ", raw.command(Path.of("<socket>"), Path.of("<console>"))));
    }

    private static Map<String, Double> libvirtRun(Backend backend, SandboxSpec spec) throws InterruptedException {
        long t0 = System.nanoTime();
        RunResult r = backend.run(spec);
        long total = System.nanoTime() - t0;
        if (!r.success()) {
            throw new IllegalStateException("the benchmark's workload failed: " + r.exit() + " " + r.stderr().text());
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("total", ms(total));
        for (String phase : List.of("create", "boot", "boot.guest-kernel", "boot.guest-init", "workload", "shutdown", "destroy")) {
            long nanos = r.timings().get(phase);
            if (nanos >= 0) {
                m.put(phase, ms(nanos));
            }
        }
        return m;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** The same guest on a QEMU this class starts itself, spoken to with the guest protocol. */
    private record RawQemu(HostCheck.Report host, HypervisorSettings settings, Path initrd) {

        List<String> command(Path socket, Path console) {
            boolean kvm = "kvm".equals(host.domainType());
            List<String> c = new ArrayList<>(List.of("qemu-system-x86_64",
                    "-machine", settings.machine() + ",accel=" + (kvm ? "kvm" : "tcg") + ",usb=off",
                    "-cpu", kvm ? "host" : "qemu64",
                    "-m", (settings.defaultMemory() >> 20) + "M",
                    "-smp", String.valueOf(settings.vcpus()),
                    "-nodefaults", "-no-user-config", "-display", "none", "-no-acpi", "-no-reboot",
                    "-kernel", host.kernel().image().toString(),
                    "-initrd", initrd.toString(),
                    "-append", DomainXml.CMDLINE,
                    "-serial", "file:" + console,
                    "-device", "virtio-serial-pci,max_ports=2",
                    "-chardev", "socket,id=channel,path=" + socket,
                    "-device", "virtserialport,chardev=channel,name=" + GuestProtocol.PORT_NAME));
            return c;
        }

        Map<String, Double> run(SandboxSpec spec) throws IOException, InterruptedException {
            Path dir = Files.createTempDirectory("isolab-boot-benchmark-");
            Path socket = dir.resolve("io.sock");
            Path console = dir.resolve("console.log");
            Map<String, Double> m = new LinkedHashMap<>();
            try (GuestChannel channel = GuestChannel.listen(socket, new LibvirtCapabilities.DacLabel(0, 0))) {
                long t0 = System.nanoTime();
                Process qemu = new ProcessBuilder(command(socket, console)).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("qemu.log").toFile()).start();
                try {
                    channel.accept(Duration.ofSeconds(30));
                    long connected = System.nanoTime();
                    GuestProtocol.Frame f = channel.read();
                    if (f == null || f.type() != GuestProtocol.HELLO) {
                        throw new IOException("no HELLO from the guest: " + Files.readString(console));
                    }
                    long hello = System.nanoTime();
                    GuestProtocol.Hello h = GuestProtocol.Hello.read(f.payload());
                    channel.send(GuestProtocol.RUN, 0, GuestProtocol.spec(spec.process().argv(), spec.process().env(),
                            spec.process().cwd(), null, "isolab-raw", null, null, false));
                    while ((f = channel.read()) != null && f.type() != GuestProtocol.EXIT) {
                        if (f.type() == GuestProtocol.START_FAILED) {
                            throw new IOException("the guest could not start the workload: "
                                    + GuestProtocol.StartFailure.read(f.payload()));
                        }
                    }
                    long exit = System.nanoTime();
                    channel.send(GuestProtocol.POWER_OFF, 0, new byte[0]);
                    if (!qemu.waitFor(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                        throw new IOException("QEMU did not exit");
                    }
                    long gone = System.nanoTime();
                    m.put("total", ms(gone - t0));
                    m.put("qemu-start", ms(connected - t0));
                    m.put("boot", ms(hello - connected));
                    m.put("boot.guest-kernel", ms(h.initNanos()));
                    m.put("boot.guest-init", ms(h.readyNanos() - h.initNanos()));
                    m.put("workload", ms(exit - hello));
                    m.put("shutdown", ms(gone - exit));
                } finally {
                    qemu.destroyForcibly();
                    qemu.waitFor();
                }
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.delete(dir);
            }
            return m;
        }
    }

    /** Per-run phase values, and their medians. */
    private static final class Samples {
        private final List<Map<String, Double>> all = new ArrayList<>();

        void add(Map<String, Double> run) {
            all.add(run);
        }

        double median(String key) {
            List<Double> v = all.stream().filter(m -> m.containsKey(key)).map(m -> m.get(key)).sorted().toList();
            if (v.isEmpty()) {
                return Double.NaN;
            }
            int n = v.size();
            return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        }

        String medians() {
            StringBuilder b = new StringBuilder();
            for (String key : all.get(0).keySet()) {
                b.append(String.format(Locale.ROOT, "%s %.0f  ", key, median(key)));
            }
            return b.toString().trim();
        }

        String runs() {
            StringBuilder b = new StringBuilder("runs:");
            for (Map<String, Double> m : all) {
                b.append(String.format(Locale.ROOT, " %.0f", m.get("total")));
            }
            return b.toString();
        }
    }
}
