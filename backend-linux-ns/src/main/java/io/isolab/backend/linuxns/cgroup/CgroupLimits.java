package io.isolab.backend.linuxns.cgroup;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.Limits;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a sandbox's cgroup enforces, in the kernel's terms. {@code null} leaves the kernel's default
 * (unlimited, or inherited from the parent). Written before the workload's first instruction.
 *
 * @param memoryBytes     {@code memory.max} / {@code memory.limit_in_bytes}
 * @param swapBytes       swap on top of memory: {@code memory.swap.max} / {@code memory.memsw.limit_in_bytes}
 *                        minus memory; only with a memory limit; ignored where the kernel has no swap accounting
 * @param cpus            CPU bandwidth in cores: quota = cpus x period ({@code cpu.max} /
 *                        {@code cpu.cfs_quota_us})
 * @param cpuPeriodMicros the bandwidth period, 100 ms unless set
 * @param cpuWeight       relative share under contention, v2 units 1..10000 with 100 the default
 *                        ({@code cpu.weight}; on v1 {@code cpu.shares} = weight x 1024 / 100)
 * @param pidsMax         {@code pids.max}: processes and threads at once
 * @param cpusetCpus      {@code cpuset.cpus}, kernel list format ({@code 0-1,3})
 * @param cpusetMems      {@code cpuset.mems}, kernel list format
 */
public record CgroupLimits(Long memoryBytes, Long swapBytes, Double cpus, Integer cpuPeriodMicros, Integer cpuWeight,
                           Integer pidsMax, String cpusetCpus, String cpusetMems) {

    public static final CgroupLimits NONE = new CgroupLimits(null, null, null, null, null, null, null, null);
    public static final int DEFAULT_CPU_PERIOD_MICROS = 100_000;
    /** The kernel refuses a CFS quota below 1 ms. */
    private static final long MIN_CPU_QUOTA_MICROS = 1_000;
    private static final Pattern CPU_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");

    public CgroupLimits {
        if (memoryBytes != null && memoryBytes < Limits.MIN_MEMORY_BYTES) {
            throw new InvalidSpecException("limits.memory", "must be at least " + Limits.MIN_MEMORY_BYTES + " bytes (got " + memoryBytes + ")");
        }
        if (swapBytes != null && (swapBytes < 0 || memoryBytes == null)) {
            throw new InvalidSpecException("limits.swap", "must be >= 0 and needs a memory limit (got " + swapBytes + ")");
        }
        if (cpus != null && (!(cpus > 0) || cpus.isInfinite())) {
            throw new InvalidSpecException("limits.cpus", "must be a positive number of cores (got " + cpus + ")");
        }
        if (cpuPeriodMicros != null && (cpuPeriodMicros < 1_000 || cpuPeriodMicros > 1_000_000)) {
            throw new InvalidSpecException("limits.cpu-period", "must be 1000..1000000 microseconds (got " + cpuPeriodMicros + ")");
        }
        if (cpuWeight != null && (cpuWeight < 1 || cpuWeight > 10_000)) {
            throw new InvalidSpecException("limits.cpu-weight", "must be 1..10000 (got " + cpuWeight + ")");
        }
        if (pidsMax != null && pidsMax < 1) {
            throw new InvalidSpecException("limits.pids", "must be at least 1 (got " + pidsMax + ")");
        }
        if (cpusetCpus != null && !CPU_LIST.matcher(cpusetCpus).matches()) {
            throw new InvalidSpecException("limits.cpuset-cpus", "must be a list like 0-1,3 (got '" + cpusetCpus + "')");
        }
        if (cpusetMems != null && !CPU_LIST.matcher(cpusetMems).matches()) {
            throw new InvalidSpecException("limits.cpuset-mems", "must be a list like 0 or 0-1 (got '" + cpusetMems + "')");
        }
    }

    /**
     * The cgroup part of a sandbox's limits. A memory limit comes without swap: a workload that may spill
     * to swap is not held by its limit, and researchers comparing backends need the limit to mean memory.
     */
    public static CgroupLimits from(Limits limits) {
        return new CgroupLimits(limits.memoryBytes(), limits.memoryBytes() == null ? null : 0L, limits.cpus(), null,
                null, limits.maxPids(), null, null);
    }

    public CgroupLimits withMemory(Long bytes, Long swap) {
        return new CgroupLimits(bytes, swap, cpus, cpuPeriodMicros, cpuWeight, pidsMax, cpusetCpus, cpusetMems);
    }

    public CgroupLimits withCpus(Double cores, Integer periodMicros) {
        return new CgroupLimits(memoryBytes, swapBytes, cores, periodMicros, cpuWeight, pidsMax, cpusetCpus, cpusetMems);
    }

    public CgroupLimits withCpuWeight(Integer weight) {
        return new CgroupLimits(memoryBytes, swapBytes, cpus, cpuPeriodMicros, weight, pidsMax, cpusetCpus, cpusetMems);
    }

    public CgroupLimits withPidsMax(Integer max) {
        return new CgroupLimits(memoryBytes, swapBytes, cpus, cpuPeriodMicros, cpuWeight, max, cpusetCpus, cpusetMems);
    }

    public CgroupLimits withCpuset(String cpuList, String memList) {
        return new CgroupLimits(memoryBytes, swapBytes, cpus, cpuPeriodMicros, cpuWeight, pidsMax, cpuList, memList);
    }

    public int cpuPeriod() {
        return cpuPeriodMicros == null ? DEFAULT_CPU_PERIOD_MICROS : cpuPeriodMicros;
    }

    /** The CFS quota for {@link #cpus}, never below the kernel's 1 ms minimum; -1 without a cpu limit. */
    public long cpuQuotaMicros() {
        return cpus == null ? -1 : Math.max(MIN_CPU_QUOTA_MICROS, Math.round(cpus * cpuPeriod()));
    }

    /**
     * v1 {@code cpu.shares} for {@link #cpuWeight}: systemd's mapping, which keeps the two defaults equal
     * (weight 100 = 1024 shares), so a sandbox without a weight competes as its v1 and v2 peers do.
     */
    public long cpuShares() {
        return Math.max(2, Math.min(262_144, cpuWeight * 1024L / 100));
    }

    /** The controllers these limits need, besides those every sandbox uses for accounting. */
    public Set<Controller> controllers() {
        Set<Controller> needed = EnumSet.noneOf(Controller.class);
        if (memoryBytes != null) {
            needed.add(Controller.MEMORY);
        }
        if (cpus != null || cpuWeight != null) {
            needed.add(Controller.CPU);
        }
        if (pidsMax != null) {
            needed.add(Controller.PIDS);
        }
        if (cpusetCpus != null || cpusetMems != null) {
            needed.add(Controller.CPUSET);
        }
        return needed;
    }
}
