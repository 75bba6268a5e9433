package io.isolab.api.spi;

import io.isolab.api.ExitStatus;
import java.util.Map;

/**
 * How a process ended, as the backend saw it.
 *
 * @param status    exit code or signal
 * @param oomKilled killed by the memory limit, from the limit's own accounting
 * @param phases    backend-specific phases in nanoseconds (a VM's {@code boot}, {@code workload},
 *                  {@code shutdown}), in the order they happened
 */
public record ProcessExit(ExitStatus status, boolean oomKilled, Map<String, Long> phases) {

    public ProcessExit {
        phases = phases == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(phases));
    }

    public static ProcessExit of(ExitStatus status) {
        return new ProcessExit(status, false, Map.of());
    }
}
