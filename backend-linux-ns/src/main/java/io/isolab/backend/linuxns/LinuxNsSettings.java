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
 * @param userNamespace as root, which sandboxes get a user namespace and how it maps ids: {@code when-required}
 *                     (default: specs that require user-isolation, ids mapped), {@code identity} or
 *                     {@code mapped} (every sandbox); see {@link UserNamespaceMode}. Not root, every sandbox
 *                     runs rootless.
 * @param prepareAhead sandboxes' namespaces a background thread keeps ready for launches (default 4): a
 *                     network namespace and, with the copy-on-write layer in memory, the root on it, each
 *                     used by one sandbox only, with a launch parked in it where the sandbox's root has
 *                     nothing of its own; 0 makes each launch create its own (see {@link PreparedPool})
 * @param overlayUpper where the copy-on-write layer lives: {@code memory} (default) or {@code disk}; see
 *                     {@link OverlayUpper}
 */
public record LinuxNsSettings(String cgroupParent, Integer cpuWeight, String cpusetCpus, String cpusetMems,
                              UserNamespaceMode userNamespace, Integer prepareAhead, OverlayUpper overlayUpper) {
    private static final int DEFAULT_PREPARE_AHEAD = 4;
    private static final int MAX_PREPARE_AHEAD = 64;

    public LinuxNsSettings {
        prepareAhead = prepareAhead == null ? DEFAULT_PREPARE_AHEAD : prepareAhead;
        overlayUpper = overlayUpper == null ? OverlayUpper.MEMORY : overlayUpper;
        if (prepareAhead < 0 || prepareAhead > MAX_PREPARE_AHEAD) {
            throw new InvalidSpecException("prepare-ahead", "must be 0.." + MAX_PREPARE_AHEAD + " (got " + prepareAhead + ")");
        }
        userNamespace = userNamespace == null ? UserNamespaceMode.WHEN_REQUIRED : userNamespace;
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
        return new LinuxNsSettings(null, null, null, null, null, null, null);
    }

    /** What a sandbox's cgroup enforces: its own limits plus these backend-wide ones. */
    public CgroupLimits cgroupLimits(Limits limits) {
        return CgroupLimits.from(limits).withCpuWeight(cpuWeight).withCpuset(cpusetCpus, cpusetMems);
    }
}
