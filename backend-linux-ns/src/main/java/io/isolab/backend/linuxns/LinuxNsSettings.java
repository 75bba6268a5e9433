package io.isolab.backend.linuxns;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.Limits;
import io.isolab.backend.linuxns.cgroup.CgroupLimits;
import io.isolab.backend.linuxns.cgroup.Cgroups;

/**
 * Settings of the {@code linux-ns} backend: section {@code backends.linux-ns} of the config.
 *
 * @param cgroupParent where sandbox cgroups are made, as a path from the root of every cgroup hierarchy
 *                     (default {@code isolab}: {@code /sys/fs/cgroup/memory/isolab/isolab-linux-ns-...} on
 *                     v1, {@code /sys/fs/cgroup/isolab/...} on v2); to use a cgroup delegated to a
 *                     non-root user, name it here
 * @param cpuWeight    relative CPU share of every sandbox under contention, 1..10000 (v2 units, 100 is
 *                     the kernel's default; mapped to v1 cpu.shares); absent leaves the default
 * @param cpusetCpus   CPUs every sandbox may run on, kernel list format ({@code 0-1}); absent: all
 * @param cpusetMems   memory nodes every sandbox may allocate from; absent: all
 * @param userNamespace how ids map in the sandboxes' user namespaces when isolab runs as root: {@code identity}
 *                     (default) or {@code mapped}; see {@link UserNamespaceMode}
 */
public record LinuxNsSettings(String cgroupParent, Integer cpuWeight, String cpusetCpus, String cpusetMems,
                              UserNamespaceMode userNamespace) {

    public LinuxNsSettings {
        userNamespace = userNamespace == null ? UserNamespaceMode.IDENTITY : userNamespace;
        cgroupParent = cgroupParent == null || cgroupParent.isBlank() ? Cgroups.DEFAULT_PARENT : cgroupParent;
        try {
            Cgroups.checkParent(cgroupParent);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("cgroup-parent", e.getMessage());
        }
        // checked by CgroupLimits, so a bad value fails when the config is read, named by its key
        try {
            CgroupLimits.NONE.withCpuWeight(cpuWeight).withCpuset(cpusetCpus, cpusetMems);
        } catch (InvalidSpecException e) {
            String key = e.field().substring("limits.".length());
            throw new InvalidSpecException(key, e.getMessage().substring(e.field().length() + 2));
        }
    }

    public static LinuxNsSettings defaults() {
        return new LinuxNsSettings(null, null, null, null, null);
    }

    /** What a sandbox's cgroup enforces: its own limits plus these backend-wide ones. */
    public CgroupLimits cgroupLimits(Limits limits) {
        return CgroupLimits.from(limits).withCpuWeight(cpuWeight).withCpuset(cpusetCpus, cpusetMems);
    }
}
