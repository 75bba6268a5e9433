package io.isolab.backend.chroot;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import java.util.Map;
import org.pf4j.Extension;

/** The {@code chroot} backend. Not implemented yet: it says so (issue #3). */
@Extension
public final class ChrootProvider implements BackendProvider<ChrootSettings> {
    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor("chroot", "chroot(2): Version 7 Unix, 1979", Map.of());

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<ChrootSettings> settingsType() {
        return ChrootSettings.class;
    }

    @Override
    public Availability probe(BackendContext<ChrootSettings> context) {
        return Availability.unavailable("not implemented yet (issue #3)");
    }

    @Override
    public BackendDriver open(BackendContext<ChrootSettings> context) {
        throw new BackendUnavailableException("chroot", probe(context));
    }
}
