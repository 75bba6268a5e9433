package io.isolab.backend.hypervisor;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import java.util.Map;
import org.pf4j.Extension;

/** The {@code hypervisor} backend. Not implemented yet: it says so (issue #5). */
@Extension
public final class HypervisorProvider implements BackendProvider<HypervisorSettings> {
    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor("hypervisor", "hypervisor: CP-40 (1967), VMware (1999), KVM (2007); here libvirt + QEMU", Map.of());

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<HypervisorSettings> settingsType() {
        return HypervisorSettings.class;
    }

    @Override
    public Availability probe(BackendContext<HypervisorSettings> context) {
        return Availability.unavailable("not implemented yet (issue #5)");
    }

    @Override
    public BackendDriver open(BackendContext<HypervisorSettings> context) {
        throw new BackendUnavailableException("hypervisor", probe(context));
    }
}
