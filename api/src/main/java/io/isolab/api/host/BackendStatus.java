package io.isolab.api.host;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;

/**
 * One row of the backend table.
 *
 * @param descriptor   what the backend is
 * @param availability whether it runs here, and why not
 * @param origin       where it was loaded from: {@code plugin <id>@<version>} or {@code classpath}
 */
public record BackendStatus(BackendDescriptor descriptor, Availability availability, String origin) {

    public String id() {
        return descriptor.id();
    }
}
