package io.isolab.api.spi;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import java.util.function.Consumer;
import org.pf4j.ExtensionPoint;

/**
 * A backend, as a PF4J extension point: what it is, whether it can run here, and how to open it.
 * Implementations are annotated {@code @org.pf4j.Extension} and have a public no-argument constructor.
 *
 * @param <S> its settings: a record bound from the {@code backends.<id>} section of the config file
 *            (kebab-case keys, unknown keys rejected); an absent section binds as an empty one, so the
 *            record's compact constructor supplies the defaults
 */
public interface BackendProvider<S extends Record> extends ExtensionPoint {

    BackendDescriptor descriptor();

    Class<S> settingsType();

    /**
     * Whether this backend can run here, and why not. Cheap (no sandbox is created), never throws: every
     * failure becomes an unavailable result with a human reason.
     */
    Availability probe(BackendContext<S> context);

    /** Opens the backend; also reclaims orphans a killed JVM left (see {@link BackendDriver#inventory()}). */
    BackendDriver open(BackendContext<S> context) throws BackendUnavailableException;

    /**
     * Makes this backend available where the host allows it (fetch a guest kernel, start a daemon), saying
     * each step to {@code progress}. Returns the availability afterwards. By default there is nothing to do.
     */
    default Availability setup(BackendContext<S> context, Consumer<String> progress) {
        return probe(context);
    }
}
