package io.isolab.backend.hypervisor;

import io.isolab.api.Availability;
import io.isolab.api.Units;
import io.isolab.api.spi.BackendContext;
import io.isolab.workload.WorkloadRootfs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * The availability probe: libvirtd reachable at the URI, virtlogd running, a domain type that works here,
 * a guest kernel with the drivers the guest init needs, and files QEMU's user can read. Each failure is a
 * reason and a remedy; no domain is created.
 *
 * <p>Its facts also describe the guest, so that a plain {@code qemu-system-x86_64} can boot the very same
 * one (the benchmarks' raw-QEMU peer, which sees this backend only through these strings):
 * <ul>
 *   <li>{@code kernel}, and {@code initramfs}: the image of isolab's default workload rootfs
 *       ({@code WorkloadRootfs}), built here when it is not in the cache yet, as a sandbox on that rootfs
 *       would build it;</li>
 *   <li>{@code kernel-cmdline}: a console run's ({@link KernelCommandLine#consoleRun()}), with
 *       {@code {argv}} for the base64 of the NUL-separated argv and {@code {nonce}} for the token that
 *       marks the guest's status line;</li>
 *   <li>the domain's machine: {@code domain-type}, {@code machine}, {@code acpi}, {@code cpu},
 *       {@code vcpus}, {@code memory} (the default guest RAM, bytes), {@code memory-minimum} (the least a
 *       guest of the default rootfs boots in, bytes) and {@code devices} (QEMU {@code -device} options,
 *       space-separated: all but the serial console and the channel's port).</li>
 * </ul>
 */
final class HostCheck {
    static final String REMEDY = "./isolab setup hypervisor";
    static final Path VIRTLOGD_SOCKET = Path.of("/run/libvirt/virtlogd-sock");

    private HostCheck() {
    }

    /**
     * What the probe found: enough to open the backend when it is available. {@code qemuUser} is who QEMU runs
     * as under the system daemon, {@code null} under a session daemon (QEMU runs as the caller).
     */
    record Report(Availability availability, String domainType, GuestKernel kernel, List<KernelModules.Module> modules,
                  LibvirtCapabilities.DacLabel qemuUser, KernelCommandLine cmdline) {
    }

    static Report run(BackendContext<HypervisorSettings> context) {
        HypervisorSettings settings = context.settings();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("libvirt-uri", settings.uri());
        URI uri;
        try {
            uri = URI.create(settings.uri());
        } catch (IllegalArgumentException e) {
            return unavailable("backends.hypervisor.uri is not a URI: " + settings.uri(), "", facts);
        }
        if (uri.getHost() != null && !uri.getHost().isEmpty()) {
            return unavailable("remote libvirt URIs (" + settings.uri() + ") are not supported yet: the guest's channel is"
                    + " a UNIX socket on this host, and its kernel and initramfs are files here", "use a local URI such as "
                    + HypervisorSettings.DEFAULT_URI, facts);
        }
        Connect connect;
        try {
            connect = LibvirtConnections.open(settings.uri());
        } catch (LinkageError e) {
            return unavailable("libvirt's client library is not installed (" + e.getMessage() + ")",
                    "apt-get install qemu-system-x86 libvirt-daemon-system libvirt-clients", facts);
        } catch (LibvirtException e) {
            return unavailable("libvirtd is not reachable at " + settings.uri() + ": " + LibvirtConnections.message(e), REMEDY, facts);
        }
        try {
            return check(context, connect, facts);
        } catch (LibvirtException e) {
            return unavailable("libvirt at " + settings.uri() + " failed: " + LibvirtConnections.message(e), REMEDY, facts);
        } finally {
            try {
                connect.close();
            } catch (LibvirtException ignored) {
                // a probe's connection; nothing depends on closing it cleanly
            }
        }
    }

    private static Report check(BackendContext<HypervisorSettings> context, Connect connect, Map<String, String> facts)
            throws LibvirtException {
        HypervisorSettings settings = context.settings();
        facts.put("libvirt-version", LibvirtConnections.version(connect.getLibVersion()));
        facts.put("qemu-version", LibvirtConnections.version(connect.getVersion()));
        if (isSystem(settings.uri()) && !virtlogdRunning()) {
            return unavailable("virtlogd is not running (libvirt starts no QEMU without it)", REMEDY, facts);
        }
        LibvirtCapabilities caps = LibvirtCapabilities.parse(connect.getCapabilities());
        String type = chooseDomainType(settings.domainType(), caps, facts);
        if (type == null) {
            return unavailable(facts.remove("domain-type-reason"), "", facts);
        }
        facts.put("domain-type", type);
        facts.put("machine", settings.machine());
        Optional<GuestKernel> found = GuestKernel.locate(settings, context.cacheDir());
        if (found.isEmpty()) {
            return unavailable(settings.kernel() != null ? "the guest kernel " + settings.kernel() + " does not exist"
                    : "no guest kernel: none configured (backends.hypervisor.kernel) and none fetched into "
                    + GuestKernel.kernelsDir(context.cacheDir()), REMEDY, facts);
        }
        GuestKernel kernel = found.get();
        facts.put("guest-kernel", kernel.release());
        List<KernelModules.Module> modules;
        try {
            modules = kernel.modules() == null ? List.of() : KernelModules.resolve(kernel.modules(), KernelModules.REQUIRED);
        } catch (KernelModules.MissingModuleException e) {
            return unavailable("the guest kernel " + kernel.release() + " lacks a driver the guest needs: " + e.getMessage()
                    + " under " + kernel.modules(), REMEDY + " (or set backends.hypervisor.modules)", facts);
        }
        // The system daemon runs QEMU as its own unprivileged user; a session daemon runs it as the caller.
        LibvirtCapabilities.DacLabel qemuUser = isSystem(settings.uri()) ? caps.dacLabel(type) : null;
        if (qemuUser != null) {
            Optional<String> denied = QemuAccess.cannotRead(kernel.image(), qemuUser)
                    .or(() -> QemuAccess.cannotSearch(context.cacheDir(), qemuUser))
                    .or(() -> QemuAccess.cannotSearch(context.stateDir(), qemuUser));
            if (denied.isPresent()) {
                return unavailable(denied.get(), "", facts);
            }
        }
        facts.put("channel", "virtio-serial");
        KernelCommandLine cmdline = commandLine(type, context.cacheDir(), facts);
        Optional<String> tooSmall = describeGuest(context, type, kernel, modules, cmdline, facts);
        if (tooSmall.isPresent()) {
            return unavailable(tooSmall.get(), "set backends.hypervisor.default-memory to at least "
                    + (Long.parseLong(facts.get("memory-minimum")) >> 20) + "m", facts);
        }
        return new Report(Availability.available(facts), type, kernel, modules, qemuUser, cmdline);
    }

    /** Under TCG, the guest is told its TSC rate, the host's (see {@link KernelCommandLine}); KVM guests use kvm-clock. */
    private static KernelCommandLine commandLine(String type, Path cacheDir, Map<String, String> facts) {
        if ("kvm".equals(type)) {
            return new KernelCommandLine(null);
        }
        HostTsc.Rate tsc = HostTsc.rate(cacheDir);
        if (tsc.khz() == null) {
            facts.put("guest-clock", "the guest calibrates its TSC itself: " + tsc.why());
            return new KernelCommandLine(null);
        }
        facts.put("guest-clock", "tsc at the host's rate, " + tsc.khz() + " kHz");
        return new KernelCommandLine(tsc.khz());
    }

    /**
     * The facts that describe the guest (see the class comment); a reason when the configured default memory
     * is too small for a guest of the default rootfs.
     */
    private static Optional<String> describeGuest(BackendContext<HypervisorSettings> context, String type, GuestKernel kernel,
                                                  List<KernelModules.Module> modules, KernelCommandLine cmdline,
                                                  Map<String, String> facts) {
        HypervisorSettings settings = context.settings();
        facts.put("kernel", kernel.image().toString());
        facts.put("kernel-cmdline", cmdline.consoleRun());
        facts.put("acpi", "off");
        facts.put("cpu", DomainXml.qemuCpu(type));
        facts.put("vcpus", String.valueOf(settings.vcpus()));
        facts.put("memory", String.valueOf(settings.defaultMemory()));
        facts.put("devices", DomainXml.QEMU_DEVICES);
        Path image;
        long minimum;
        try {
            image = Initramfs.ensure(context.cacheDir(), WorkloadRootfs.ensure(context.cacheDir()), modules);
            minimum = GuestMemory.minimum(kernel.image(), Files.size(image));
        } catch (IOException | RuntimeException e) {
            facts.put("initramfs-unavailable", "cannot build the initramfs of the default workload rootfs: " + e.getMessage());
            return Optional.empty();
        }
        facts.put("initramfs", image.toString());
        facts.put("memory-minimum", String.valueOf(minimum));
        if (settings.defaultMemory() < minimum) {
            return Optional.of("backends.hypervisor.default-memory (" + Units.formatBytes(settings.defaultMemory())
                    + ") is less than the " + Units.formatBytes(minimum) + " a guest of the default workload rootfs needs");
        }
        return Optional.empty();
    }

    /** KVM where it can run a standard guest kernel, else QEMU's TCG; the reason goes into the facts. */
    private static String chooseDomainType(DomainType wanted, LibvirtCapabilities caps, Map<String, String> facts) {
        boolean kvmOffered = caps.domainTypes().contains("kvm");
        boolean qemuOffered = caps.domainTypes().contains("qemu");
        switch (wanted) {
            case KVM -> {
                Optional<String> unusable = kvmOffered ? KvmCheck.unusable() : Optional.of("libvirt offers no kvm domains");
                if (unusable.isPresent()) {
                    facts.put("domain-type-reason", "domain-type kvm is configured, but " + unusable.get());
                    return null;
                }
                return "kvm";
            }
            case QEMU -> {
                if (!qemuOffered) {
                    facts.put("domain-type-reason", "libvirt offers no qemu (TCG) domains for x86_64 here");
                    return null;
                }
                return "qemu";
            }
            default -> {
                Optional<String> unusable = kvmOffered ? KvmCheck.unusable() : Optional.of("libvirt offers no kvm domains");
                if (unusable.isEmpty()) {
                    return "kvm";
                }
                if (!qemuOffered) {
                    facts.put("domain-type-reason", "neither kvm (" + unusable.get() + ") nor qemu domains are available");
                    return null;
                }
                facts.put("domain-type-reason", "qemu (TCG): " + unusable.get());
                return "qemu";
            }
        }
    }

    static boolean isSystem(String uri) {
        return uri.endsWith(":///system");
    }

    static boolean virtlogdRunning() {
        try (SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.connect(UnixDomainSocketAddress.of(VIRTLOGD_SOCKET));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Report unavailable(String reason, String remedy, Map<String, String> facts) {
        return new Report(Availability.unavailable(reason, remedy).withFacts(facts), null, null, List.of(), null, null);
    }
}
