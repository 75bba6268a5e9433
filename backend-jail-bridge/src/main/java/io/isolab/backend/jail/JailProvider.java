package io.isolab.backend.jail;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import java.util.Map;
import org.pf4j.Extension;

/** The {@code jail} backend. Not implemented yet: it says so (issue #6). */
@Extension
public final class JailProvider implements BackendProvider<JailSettings> {
    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor("jail", "FreeBSD jail(2), 1999", Map.of());

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<JailSettings> settingsType() {
        return JailSettings.class;
    }

    @Override
    public Availability probe(BackendContext<JailSettings> context) {
        return Availability.unavailable("not implemented yet (issue #6)");
    }

    @Override
    public BackendDriver open(BackendContext<JailSettings> context) {
        throw new BackendUnavailableException("jail", probe(context));
    }
}
