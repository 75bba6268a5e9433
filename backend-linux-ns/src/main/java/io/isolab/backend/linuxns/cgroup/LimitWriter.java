package io.isolab.backend.linuxns.cgroup;

/**
 * Writes a sandbox's limits into the files of whichever version holds each controller. Order matters
 * where the kernel checks one value against another: v1 {@code memory.memsw.limit_in_bytes} must not be
 * below {@code memory.limit_in_bytes}, and v1 {@code cpu.cfs_period_us} goes before the quota.
 */
final class LimitWriter {

    private LimitWriter() {
    }

    static void apply(SandboxCgroup cgroup, CgroupLimits limits) {
        cgroup.dir(Controller.CPUSET).ifPresent(d -> cpuset(d, limits));
        if (limits.memoryBytes() != null) {
            memory(cgroup, cgroup.dir(Controller.MEMORY).orElseThrow(), limits);
        }
        if (limits.cpus() != null || limits.cpuWeight() != null) {
            cpu(cgroup.dir(Controller.CPU).orElseThrow(), limits);
        }
        if (limits.pidsMax() != null) {
            cgroup.dir(Controller.PIDS).orElseThrow().write("pids.max", Integer.toString(limits.pidsMax()));
        }
    }

    private static void memory(SandboxCgroup cgroup, CgroupDir d, CgroupLimits limits) {
        long bytes = limits.memoryBytes();
        if (d.version() == CgroupVersion.V2) {
            d.write("memory.max", Long.toString(bytes));
            if (limits.swapBytes() != null && cgroup.has(d, "memory.swap.max")) {
                d.write("memory.swap.max", Long.toString(limits.swapBytes()));
            }
        } else {
            d.write("memory.limit_in_bytes", Long.toString(bytes));
            // present only with swap accounting (CONFIG_MEMCG_SWAP, swapaccount=1)
            if (limits.swapBytes() != null && cgroup.has(d, "memory.memsw.limit_in_bytes")) {
                d.write("memory.memsw.limit_in_bytes", Long.toString(bytes + limits.swapBytes()));
            }
        }
    }

    private static void cpu(CgroupDir d, CgroupLimits limits) {
        if (d.version() == CgroupVersion.V2) {
            if (limits.cpus() != null) {
                d.write("cpu.max", new CgroupFiles.CpuMax(limits.cpuQuotaMicros(), limits.cpuPeriod()).format());
            }
            if (limits.cpuWeight() != null) {
                d.write("cpu.weight", Integer.toString(limits.cpuWeight()));
            }
        } else {
            if (limits.cpus() != null) {
                d.write("cpu.cfs_period_us", Integer.toString(limits.cpuPeriod()));
                d.write("cpu.cfs_quota_us", Long.toString(limits.cpuQuotaMicros()));
            }
            if (limits.cpuWeight() != null) {
                d.write("cpu.shares", Long.toString(limits.cpuShares()));
            }
        }
    }

    /**
     * A v1 cpuset cgroup starts with empty cpus and mems and takes no task until both are set: what the
     * limits leave open is copied from the parent. A v2 one inherits when empty.
     */
    private static void cpuset(CgroupDir d, CgroupLimits limits) {
        if (d.version() == CgroupVersion.V1) {
            CgroupDir parent = new CgroupDir(d.hierarchy(), d.path().getParent());
            d.write("cpuset.cpus", limits.cpusetCpus() != null ? limits.cpusetCpus() : parent.read("cpuset.cpus").trim());
            d.write("cpuset.mems", limits.cpusetMems() != null ? limits.cpusetMems() : parent.read("cpuset.mems").trim());
        } else {
            if (limits.cpusetCpus() != null) {
                d.write("cpuset.cpus", limits.cpusetCpus());
            }
            if (limits.cpusetMems() != null) {
                d.write("cpuset.mems", limits.cpusetMems());
            }
        }
    }
}
