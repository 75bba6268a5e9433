package io.isolab.api.host;

import io.isolab.api.spi.HostResource;
import java.util.List;

/**
 * What {@code gc} removed.
 *
 * @param backendId the backend collected
 * @param removed   each orphaned resource removed
 * @param failures  resources that could not be removed, each with the reason
 */
public record GcReport(String backendId, List<HostResource> removed, List<String> failures) {

    public GcReport {
        removed = List.copyOf(removed);
        failures = List.copyOf(failures);
    }
}
