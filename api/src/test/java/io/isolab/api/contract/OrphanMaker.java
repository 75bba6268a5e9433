package io.isolab.api.contract;

import io.isolab.api.host.Backend;
import io.isolab.api.host.Sandbox;
import io.isolab.api.SandboxSpec;
import io.isolab.api.host.Backends;
import io.isolab.api.spi.BackendProvider;
import java.util.List;

/**
 * A JVM that starts a sandbox and then waits to be killed with SIGKILL: what a crashed isolab user leaves
 * behind, for {@link BackendContract#reclaimsWhatAKilledOwnerLeft()}.
 */
public final class OrphanMaker {
    static final String READY = "ISOLAB-ORPHAN-READY ";

    private OrphanMaker() {
    }

    /** {@code args[0]}: the backend's contract test class, whose provider, config, rootfs and probe are used. */
    public static void main(String[] args) throws Exception {
        var constructor = Class.forName(args[0]).getDeclaredConstructor();
        constructor.setAccessible(true);
        BackendContract contract = (BackendContract) constructor.newInstance();
        BackendProvider<?> provider = contract.provider();
        Backends backends = Backends.of(contract.config(), List.of(provider));
        Backend backend = backends.open(provider.descriptor().id());
        Sandbox sandbox = backend.create(SandboxSpec.builder(contract.rootfs()).command(contract.probe(), "sleep", "600000").build());
        sandbox.start();
        System.out.println(READY + sandbox.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
