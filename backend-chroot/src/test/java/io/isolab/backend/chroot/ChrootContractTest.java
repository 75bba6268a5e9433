package io.isolab.backend.chroot;

import io.isolab.api.contract.BackendContract;
import io.isolab.api.spi.BackendProvider;

class ChrootContractTest extends BackendContract {

    @Override
    protected BackendProvider<?> provider() {
        return new ChrootProvider();
    }
}
