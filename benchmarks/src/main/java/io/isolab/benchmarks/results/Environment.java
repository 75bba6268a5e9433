package io.isolab.benchmarks.results;

import java.util.Map;

/**
 * Where the numbers were taken: without this, a figure is not reproducible.
 *
 * @param kernel        {@code uname -r}
 * @param os            {@code PRETTY_NAME} of /etc/os-release
 * @param cpuModel      from /proc/cpuinfo
 * @param cores         online CPUs
 * @param memoryBytes   MemTotal
 * @param cgroup        {@code v1}, {@code v2} or {@code hybrid}
 * @param kvm           whether /dev/kvm can be opened
 * @param jvm           vendor, name and version of the JVM
 * @param domainType    the hypervisor backend's libvirt domain type ({@code kvm}/{@code qemu}), when it reports it
 * @param loadBefore    the 1-minute load average before the run (others' work is noise in the figures)
 * @param loadAfter     the 1-minute load average after it
 * @param peerVersions  each peer's version line
 */
public record Environment(String kernel, String os, String cpuModel, int cores, long memoryBytes, String cgroup,
                          boolean kvm, String jvm, String domainType, double loadBefore, double loadAfter,
                          Map<String, String> peerVersions) {

    public Environment {
        peerVersions = peerVersions == null ? Map.of() : Map.copyOf(peerVersions);
    }

    public Environment withLoadAfter(double load) {
        return new Environment(kernel, os, cpuModel, cores, memoryBytes, cgroup, kvm, jvm, domainType, loadBefore, load,
                peerVersions);
    }
}
