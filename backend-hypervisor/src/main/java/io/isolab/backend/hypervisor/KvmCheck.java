package io.isolab.backend.hypervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether KVM can run a standard guest kernel here. libvirt offers {@code kvm} whenever {@code /dev/kvm}
 * opens, but a {@code /dev/kvm} provided by {@code kvm_pvm} (Pagetable-based Virtual Machine, for nested
 * clouds without hardware virtualization) only runs PVM-enabled guest kernels: Debian's hangs right after
 * the real-mode setup. Hardware KVM shows as the {@code kvm_intel} or {@code kvm_amd} module.
 */
final class KvmCheck {
    private static final Path DEV_KVM = Path.of("/dev/kvm");
    private static final Path MODULES = Path.of("/sys/module");

    private KvmCheck() {
    }

    /** Why KVM cannot run the guest on this host, or empty when it can. */
    static Optional<String> unusable() {
        if (!Files.exists(DEV_KVM)) {
            return Optional.of("no /dev/kvm");
        }
        if (!Files.isReadable(DEV_KVM) || !Files.isWritable(DEV_KVM)) {
            return Optional.of("/dev/kvm is not accessible");
        }
        boolean hardware = Files.isDirectory(MODULES.resolve("kvm_intel")) || Files.isDirectory(MODULES.resolve("kvm_amd"));
        if (!hardware && Files.isDirectory(MODULES.resolve("kvm_pvm"))) {
            return Optional.of("/dev/kvm is kvm_pvm's, which runs only PVM-enabled guest kernels");
        }
        return Optional.empty();
    }
}
