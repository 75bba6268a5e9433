package io.isolab.backend.hypervisor;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.Capability;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.libvirt.LibvirtException;
import org.pf4j.Extension;

/**
 * The {@code hypervisor} backend: the workload in a guest kernel of its own, a transient libvirt domain per
 * sandbox (KVM, or QEMU's TCG where there is no usable KVM), booted directly into an initramfs made of the
 * sandbox's rootfs and isolab's guest init.
 *
 * <p>It declares what a guest kernel delivers. Limits are the guest's: RAM, and the cgroup the guest init puts
 * the workload in ({@code pids.max}, {@code cpu.max}), which the workload, root in the guest but with the OCI
 * default capabilities and a read-only {@code /sys}, cannot lift. A host-side vCPU quota
 * ({@code <cputune>}) would not do for {@code cpu-limit}: it throttles QEMU's vCPU thread while the guest's
 * clock runs on, so the guest's own CPU accounting, which the probe reads, shows no limit. Not declared:
 * {@code bind-mounts} (the cloud guest kernel has no 9p; virtiofs needs a daemon per sandbox),
 * {@code host-network}.
 */
@Extension
public final class HypervisorProvider implements BackendProvider<HypervisorSettings> {
    static final String ID = "hypervisor";
    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor(ID,
            "hypervisor: CP-40 (1967), VMware (1999), KVM (2007); here libvirt + QEMU", capabilities());

    private static Map<Capability, String> capabilities() {
        String kernel = "a guest kernel of its own";
        Map<Capability, String> c = new EnumMap<>(Capability.class);
        c.put(Capability.SEPARATE_KERNEL, "libvirt domain (QEMU with KVM, or TCG), direct kernel boot");
        c.put(Capability.FILESYSTEM_ROOT, "the rootfs is the guest's initramfs");
        c.put(Capability.MOUNT_ISOLATION, kernel + "; the workload in a mount namespace of its own in it");
        c.put(Capability.PID_ISOLATION, kernel + "; the workload in a PID namespace of its own in it, PID 2 under a reaper");
        c.put(Capability.NETWORK_ISOLATION, kernel + " and no virtual NIC: loopback only");
        c.put(Capability.IPC_ISOLATION, kernel);
        c.put(Capability.UTS_ISOLATION, kernel + " (sethostname in the guest)");
        c.put(Capability.USER_ISOLATION, kernel + ": root in the guest is not root on the host; QEMU runs as libvirt's user");
        c.put(Capability.CGROUP_ISOLATION, kernel);
        c.put(Capability.TIME_ISOLATION, kernel + ": monotonic and boot clocks start at the guest's boot");
        c.put(Capability.MEMORY_LIMIT, "guest RAM");
        c.put(Capability.CPU_LIMIT, "cpu.max of the workload's cgroup in the guest, ceil(cpus) vCPUs");
        c.put(Capability.PIDS_LIMIT, "pids.max of the workload's cgroup in the guest");
        c.put(Capability.RUN_AS_USER, "the guest init's setgroups/setgid/setuid, ids from the rootfs's /etc/passwd");
        c.put(Capability.READ_ONLY_ROOT, "a read-only bind of the guest's root in the workload's mount namespace");
        c.put(Capability.EXEC, "the guest init joins the workload's namespaces with setns(2)");
        c.put(Capability.STATS, "libvirt (CPU time, QEMU's RSS) and the guest's cgroup (memory, pids)");
        c.put(Capability.PAUSE, "virDomainSuspend / virDomainResume");
        return c;
    }

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<HypervisorSettings> settingsType() {
        return HypervisorSettings.class;
    }

    @Override
    public Availability probe(BackendContext<HypervisorSettings> context) {
        try {
            return HostCheck.run(context).availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("checking libvirt failed: " + e, HostCheck.REMEDY);
        }
    }

    @Override
    public BackendDriver open(BackendContext<HypervisorSettings> context) {
        HostCheck.Report host = HostCheck.run(context);
        if (!host.availability().available()) {
            throw new BackendUnavailableException(ID, host.availability());
        }
        try {
            return new HypervisorDriver(context, host, LibvirtConnections.open(context.settings().uri()));
        } catch (LibvirtException e) {
            throw new BackendUnavailableException(ID, Availability.unavailable("libvirtd is not reachable at "
                    + context.settings().uri() + ": " + LibvirtConnections.message(e), HostCheck.REMEDY));
        }
    }

    /** Fetches a guest kernel and starts virtlogd and libvirtd when they are missing, saying each step. */
    @Override
    public Availability setup(BackendContext<HypervisorSettings> context, Consumer<String> progress) {
        new HostSetup(context, progress).run();
        return probe(context);
    }
}
