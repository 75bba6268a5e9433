package io.isolab.backend.hypervisor;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.isolab.api.config.UnitDeserializers;
import io.isolab.api.InvalidSpecException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the {@code hypervisor} backend: section {@code backends.hypervisor} of the config.
 *
 * <pre>
 * backends:
 *   hypervisor:
 *     uri: qemu:///system         # libvirt connection
 *     domain-type: auto           # auto | kvm | qemu (TCG)
 *     kernel: /boot/vmlinuz-6.1   # guest kernel; absent: the one `isolab setup hypervisor` fetched
 *     modules: /lib/modules/6.1   # that kernel's modules (virtio drivers); absent: next to the kernel
 *     default-memory: 256m        # guest RAM when a sandbox has no memory limit (at least what the
 *                                 # guest needs: the probe's fact memory-minimum, 83m with Debian's cloud kernel)
 *     vcpus: 1
 *     boot-timeout: 60s           # resume to the guest's first word
 *     machine: pc                 # QEMU machine type
 *     kernel-package: linux-image-6.1.0-50-cloud-amd64-unsigned   # what setup fetches; absent: the newest
 * </pre>
 *
 * @param uri           the libvirt URI; only local hypervisors are supported (the guest's channel is a
 *                      UNIX socket on this host)
 * @param domainType    which libvirt domain type to use
 * @param kernel        the guest kernel image, or {@code null} for the fetched one
 * @param modules       a directory searched for the guest kernel's modules, or {@code null}
 * @param defaultMemory guest RAM for a sandbox without {@code limits.memory}
 * @param vcpus         virtual CPUs of every guest
 * @param bootTimeout   how long a guest may take from resume to its init's HELLO
 * @param machine       the QEMU machine type ({@code pc}: i440FX, the quickest to boot of the full machines)
 * @param kernelPackage the Debian package {@code setup} fetches, or {@code null} for the newest
 *                      {@code linux-image-*-cloud-amd64-unsigned} apt knows
 */
public record HypervisorSettings(
        String uri,
        DomainType domainType,
        Path kernel,
        Path modules,
        @JsonDeserialize(using = UnitDeserializers.Bytes.class) Long defaultMemory,
        Integer vcpus,
        @JsonDeserialize(using = UnitDeserializers.Time.class) Duration bootTimeout,
        String machine,
        String kernelPackage) {

    public static final String DEFAULT_URI = "qemu:///system";

    public HypervisorSettings {
        uri = uri == null || uri.isBlank() ? DEFAULT_URI : uri;
        domainType = domainType == null ? DomainType.AUTO : domainType;
        defaultMemory = defaultMemory == null ? 256L << 20 : defaultMemory;
        // How much a guest needs depends on its kernel and rootfs: the availability probe and validate() check it.
        if (defaultMemory <= 0) {
            throw new InvalidSpecException("default-memory", "must be positive (got " + defaultMemory + " bytes)");
        }
        vcpus = vcpus == null ? 1 : vcpus;
        if (vcpus < 1) {
            throw new InvalidSpecException("vcpus", "must be at least 1 (got " + vcpus + ")");
        }
        bootTimeout = bootTimeout == null ? Duration.ofSeconds(60) : bootTimeout;
        if (bootTimeout.isNegative() || bootTimeout.isZero()) {
            throw new InvalidSpecException("boot-timeout", "must be positive (got " + bootTimeout + ")");
        }
        machine = machine == null || machine.isBlank() ? "pc" : machine;
        if (kernel != null && !kernel.isAbsolute()) {
            throw new InvalidSpecException("kernel", "must be an absolute path (got " + kernel + ")");
        }
        if (modules != null && !modules.isAbsolute()) {
            throw new InvalidSpecException("modules", "must be an absolute path (got " + modules + ")");
        }
    }

    /** Everything default. */
    public static HypervisorSettings defaults() {
        return new HypervisorSettings(null, null, null, null, null, null, null, null, null);
    }

    public HypervisorSettings withDomainType(DomainType type) {
        return new HypervisorSettings(uri, type, kernel, modules, defaultMemory, vcpus, bootTimeout, machine, kernelPackage);
    }
}
