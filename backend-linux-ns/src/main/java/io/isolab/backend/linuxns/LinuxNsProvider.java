package io.isolab.backend.linuxns;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import java.util.Map;
import org.pf4j.Extension;

/** The {@code linux-ns} backend. Not implemented yet: it says so (issue #4). */
@Extension
public final class LinuxNsProvider implements BackendProvider<LinuxNsSettings> {
    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor("linux-ns", "Linux namespaces (2002-2013) + cgroups (2006-2008): LXC, runc, crun", Map.of());

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<LinuxNsSettings> settingsType() {
        return LinuxNsSettings.class;
    }

    @Override
    public Availability probe(BackendContext<LinuxNsSettings> context) {
        return Availability.unavailable("not implemented yet (issue #4)");
    }

    @Override
    public BackendDriver open(BackendContext<LinuxNsSettings> context) {
        throw new BackendUnavailableException("linux-ns", probe(context));
    }
}
