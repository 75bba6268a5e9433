package io.isolab.backend.linuxns;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.Capability;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import io.isolab.backend.linuxns.cgroup.CgroupException;
import io.isolab.backend.linuxns.cgroup.CgroupLayout;
import io.isolab.backend.linuxns.cgroup.Cgroups;
import io.isolab.launcher.KernelFeature;
import io.isolab.launcher.Launcher;
import io.isolab.launcher.LauncherUnavailableException;
import io.isolab.launcher.Namespace;
import io.isolab.launcher.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The {@code linux-ns} backend: every Linux namespace and cgroups (v1, v2 or hybrid), set up in C between
 * clone and execve by the shared launcher, the way runc and crun do it, without a monitor process.
 */
@Extension
public final class LinuxNsProvider implements BackendProvider<LinuxNsSettings> {
    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor("linux-ns",
            "Linux namespaces (2002-2016) + cgroups (2006-2016): LXC, runc, crun", capabilities());

    private static Map<Capability, String> capabilities() {
        Map<Capability, String> c = new EnumMap<>(Capability.class);
        c.put(Capability.FILESYSTEM_ROOT, "pivot_root into an overlay of the rootfs (a per-sandbox upper dir, discarded"
                + " on destroy), old root detached; /proc, /sys, a minimal /dev; OCI masked and read-only paths");
        c.put(Capability.MOUNT_ISOLATION, "CLONE_NEWNS, propagation private");
        c.put(Capability.PID_ISOLATION, "CLONE_NEWPID: the workload is pid 1");
        c.put(Capability.NETWORK_ISOLATION, "CLONE_NEWNET with only lo, up");
        c.put(Capability.IPC_ISOLATION, "CLONE_NEWIPC");
        c.put(Capability.UTS_ISOLATION, "CLONE_NEWUTS + sethostname");
        c.put(Capability.USER_ISOLATION, "CLONE_NEWUSER, maps written by the parent: capabilities confined to the"
                + " sandbox; uids shifted with user-namespace: mapped, or rootless");
        c.put(Capability.CGROUP_ISOLATION, "CLONE_NEWCGROUP after the cgroup join: the sandbox's cgroup is its root");
        if (Namespace.TIME.supported()) {
            c.put(Capability.TIME_ISOLATION, "CLONE_NEWTIME (Linux 5.6+)");
        }
        c.put(Capability.MEMORY_LIMIT, "memory cgroup: memory.max / memory.limit_in_bytes, no swap; OOM kills from its counters");
        c.put(Capability.CPU_LIMIT, "cpu cgroup: cpu.max / cfs_quota_us, 100 ms period");
        c.put(Capability.PIDS_LIMIT, "pids cgroup: pids.max");
        c.put(Capability.HOST_NETWORK, "no network namespace");
        c.put(Capability.RUN_AS_USER, "setgroups/setresgid/setresuid; names from the rootfs's /etc/passwd and /etc/group");
        c.put(Capability.BIND_MOUNTS, "open_tree + move_mount after the pivot, read-only with mount_setattr");
        c.put(Capability.READ_ONLY_ROOT, "the root mount made read-only after the pivot");
        c.put(Capability.EXEC, "setns into the sandbox's namespaces and a join of its cgroups, in C before execve");
        c.put(Capability.STATS, "cgroup counters: cpu time, memory and pids, current and peak");
        c.put(Capability.PAUSE, "cgroup freezer: cgroup.freeze (v2) or freezer.state (v1)");
        return c;
    }

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<LinuxNsSettings> settingsType() {
        return LinuxNsSettings.class;
    }

    @Override
    public Availability probe(BackendContext<LinuxNsSettings> context) {
        try {
            NativeLibrary.load(context.cacheDir());
            Set<KernelFeature> features = Launcher.kernelFeatures(context.cacheDir());
            for (KernelFeature needed : new KernelFeature[] {KernelFeature.OPEN_TREE, KernelFeature.MOUNT_SETATTR}) {
                if (!features.contains(needed)) {
                    return Availability.unavailable("the kernel lacks " + needed.name().toLowerCase()
                            + " (Linux 5.12+), which the pivot_root setup uses", "a newer kernel");
                }
            }
            if (!Namespace.USER.supported() || userNamespacesDisabled()) {
                return Availability.unavailable("user namespaces are disabled (user.max_user_namespaces is 0)",
                        "sysctl -w user.max_user_namespaces=15000");
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("launcher", "clone3 + namespaces + pivot_root + execve in C, no intermediate or monitor process");
            facts.put("native-library", String.valueOf(NativeLibrary.path()));
            CgroupLayout layout = CgroupLayout.ofThisProcess();
            facts.putAll(layout.facts());
            try {
                Cgroups.open(layout, context.settings().cgroupParent());
            } catch (CgroupException e) {
                if (LinuxNsDriver.euid() == 0) {
                    return Availability.unavailable(e.getMessage(), "mount cgroupfs (v1 or v2) at /sys/fs/cgroup");
                }
                // rootless without a delegated cgroup: sandboxes run, without limits, stats or pause
                facts.put("cgroup", "none: " + e.getMessage());
            }
            facts.put("user-namespace", LinuxNsDriver.euid() == 0 ? context.settings().userNamespace().key() : "rootless");
            return Availability.available(facts);
        } catch (LauncherUnavailableException e) {
            return Availability.unavailable(e.getMessage(), "build isolab with gcc on linux-x86_64");
        } catch (RuntimeException e) {
            return Availability.unavailable("cannot check: " + e.getMessage());
        }
    }

    @Override
    public BackendDriver open(BackendContext<LinuxNsSettings> context) {
        Availability availability = probe(context);
        if (!availability.available()) {
            throw new BackendUnavailableException(DESCRIPTOR.id(), availability);
        }
        return new LinuxNsDriver(context);
    }

    private static boolean userNamespacesDisabled() {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/sys/user/max_user_namespaces")).trim()) == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
