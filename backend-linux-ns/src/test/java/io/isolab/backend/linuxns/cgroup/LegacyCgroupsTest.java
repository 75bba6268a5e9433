package io.isolab.backend.linuxns.cgroup;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The v1 code paths alone (freezer.state, freeze+SIGKILL+thaw, cgroup.procs for emptiness), as a v1-only host has them. */
class LegacyCgroupsTest extends HostCgroupsTest {

    @Override
    CgroupLayout layout(CgroupLayout host) {
        CgroupLayout legacy = host.withoutUnified();
        assumeTrue(legacy.mode() == CgroupLayout.Mode.LEGACY, "no v1 hierarchy on this host");
        return legacy;
    }
}
