package io.isolab.backend.hypervisor;

import io.isolab.api.Availability;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.contract.BackendContract;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendProvider;

/**
 * The contract, with real VMs: each test boots a guest (seconds under TCG). Skipped, with the reason, where
 * libvirtd is not running or no guest kernel was fetched ({@code ./isolab setup hypervisor}).
 */
class HypervisorContractTest extends BackendContract {

    @Override
    protected BackendProvider<?> provider() {
        return new HypervisorProvider();
    }

    /**
     * The least RAM the backend accepts for the workload rootfs (its fact {@code memory-minimum}): the memory
     * test then shows that a guest that small boots, and that it holds the workload to it.
     */
    @Override
    protected long memoryLimitForTest() {
        IsolabConfig config = config();
        Availability a = new HypervisorProvider().probe(new BackendContext<>(HypervisorSettings.defaults(), config.stateDir(),
                config.cacheDir()));
        return Long.parseLong(a.facts().get("memory-minimum"));
    }
}
