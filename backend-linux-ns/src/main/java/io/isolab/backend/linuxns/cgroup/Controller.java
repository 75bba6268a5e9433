package io.isolab.backend.linuxns.cgroup;

/**
 * What isolab asks of cgroups, named after the v1 controllers. On v2 two of them are part of the cgroup
 * core rather than controllers: cpu usage ({@code cpu.stat}, always present) and freezing
 * ({@code cgroup.freeze}).
 */
public enum Controller {
    MEMORY("memory"),
    PIDS("pids"),
    CPU("cpu"),
    CPUACCT("cpuacct"),
    CPUSET("cpuset"),
    FREEZER("freezer");

    private final String kernelName;

    Controller(String kernelName) {
        this.kernelName = kernelName;
    }

    /** The name in {@code /proc/cgroups}, in v1 mount options and in v2 {@code cgroup.controllers}. */
    public String kernelName() {
        return kernelName;
    }
}
