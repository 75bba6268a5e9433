package io.isolab.backend.linuxns;

import io.isolab.api.contract.BackendContract;
import io.isolab.api.spi.BackendProvider;

class LinuxNsContractTest extends BackendContract {

    @Override
    protected BackendProvider<?> provider() {
        return new LinuxNsProvider();
    }
}
