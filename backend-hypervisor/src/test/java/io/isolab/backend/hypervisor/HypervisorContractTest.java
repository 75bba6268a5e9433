package io.isolab.backend.hypervisor;

import io.isolab.api.contract.BackendContract;
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

    /** The guest kernel and its initramfs live in the guest's RAM too: 128 MiB leaves the workload about 70. */
    @Override
    protected long memoryLimitForTest() {
        return 128L << 20;
    }
}
