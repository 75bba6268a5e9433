package io.isolab.backend.linuxns.cgroup;

/** The host's cgroups as probed: on this machine hybrid (v1 controllers, cgroup2 for tracking and freezing). */
class ProbedCgroupsTest extends HostCgroupsTest {

    @Override
    CgroupLayout layout(CgroupLayout host) {
        return host;
    }
}
