package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The v2 code paths alone, as a pure v2 host has them, on this host's cgroup2 mount. Its core works
 * whatever controllers it holds (cgroup.procs, cgroup.kill, cgroup.freeze, cgroup.events, cpu.stat); the
 * controller tests run only where the mount offers the controller (not on a hybrid host whose v1
 * hierarchies hold them).
 */
class UnifiedCgroupsTest extends HostCgroupsTest {

    @Override
    CgroupLayout layout(CgroupLayout host) {
        assumeTrue(host.unified().isPresent(), "no cgroup2 mount on this host");
        return host.unifiedOnly();
    }
}
