package io.isolab.api.contract;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backend;
import io.isolab.api.host.BackendStatus;
import io.isolab.api.host.Backends;
import io.isolab.api.spi.BackendProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A backend opened for a test class, or the class skipped with the availability probe's reason; with a
 * host-only marker file (a sandbox with a root of its own must not see it). The contract kit and a
 * backend's own tests open their backend this way.
 */
public final class BackendUnderTest implements AutoCloseable {
    private final Backends backends;
    private final Backend backend;
    private final Path marker;

    private BackendUnderTest(Backends backends, Backend backend, Path marker) {
        this.backends = backends;
        this.backend = backend;
        this.marker = marker;
    }

    /** Opens {@code provider}'s backend, or aborts the calling test (class) when it is unavailable here. */
    public static BackendUnderTest openOrSkip(IsolabConfig config, BackendProvider<?> provider) {
        Backends backends = Backends.of(config, List.of(provider));
        BackendStatus status = backends.list().get(0);
        Availability availability = status.availability();
        if (!availability.available()) {
            backends.close();
        }
        assumeTrue(availability.available(), () -> "backend " + status.id() + " is unavailable here: "
                + availability.reason());
        try {
            return new BackendUnderTest(backends, backends.open(status.id()), Files.createTempFile("isolab-marker-", ""));
        } catch (IOException e) {
            backends.close();
            throw new UncheckedIOException(e);
        }
    }

    public Backend backend() {
        return backend;
    }

    public BackendDescriptor descriptor() {
        return backend.descriptor();
    }

    public Path marker() {
        return marker;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                backend.close();
            } finally {
                backends.close();
            }
        }
    }
}
