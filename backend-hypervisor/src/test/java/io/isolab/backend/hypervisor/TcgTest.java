package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.Availability;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backend;
import io.isolab.api.spi.BackendContext;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * QEMU's TCG, forced: the contract runs on whatever domain type this host picks (KVM where it works), and
 * CI machines without KVM run TCG, so that path is exercised wherever the tests run.
 */
class TcgTest {

    @Test
    void runsAGuestUnderTcgAndSaysSo() throws Exception {
        IsolabConfig config = IsolabConfig.standard();
        BackendContext<HypervisorSettings> context = new BackendContext<>(
                HypervisorSettings.defaults().withDomainType(DomainType.QEMU), config.stateDir(), config.cacheDir());
        HypervisorProvider provider = new HypervisorProvider();
        Availability availability = provider.probe(context);
        assumeTrue(availability.available(), () -> "hypervisor is unavailable here: " + availability.reason());
        SandboxSpec spec = SandboxSpec.builder(WorkloadRootfs.ensure(config.cacheDir()))
                .command(Probe.PATH_IN_ROOTFS, "exit", "3").build();
        try (Backend backend = Backend.open(provider, context)) {
            RunResult result = backend.run(spec);
            assertEquals(3, result.exit().code(), result.stderr()::text);
            assertEquals("qemu", result.facts().get("domain-type"));
            for (String phase : List.of("create", "boot", "boot.guest-kernel", "workload", "destroy")) {
                assertTrue(result.timings().get(phase) > 0, () -> "no " + phase + " phase: " + result.timings());
            }
            assertTrue(result.stats().hostOverheadBytes() > 0, () -> "QEMU's RSS: " + result.stats());
            assertEquals(List.of(), backend.inventory().stream().filter(r -> r.sandboxId().equals(result.sandboxId())).toList());
        }
    }
}
