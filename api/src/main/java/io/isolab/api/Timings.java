package io.isolab.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named phases of a sandbox's life in nanoseconds, in the order they happened. Every backend reports
 * {@link #CREATE}, {@link #START}, {@link #RUN} and (for {@code Backend.run}) {@link #DESTROY}; a backend
 * adds its own phases where they explain where time goes (a VM adds {@code boot}, {@code workload} and
 * {@code shutdown}).
 */
public record Timings(@JsonValue Map<String, Long> nanos) {

    /** From the create call to the sandbox existing, nothing started. */
    public static final String CREATE = "create";
    /** From the start call to the main process running. */
    public static final String START = "start";
    /** From the main process running to its exit being seen. */
    public static final String RUN = "run";
    /** Removing everything the sandbox created. */
    public static final String DESTROY = "destroy";

    public static final Timings EMPTY = new Timings(Map.of());

    @JsonCreator
    public Timings {
        nanos = Collections.unmodifiableMap(new LinkedHashMap<>(nanos));
    }

    public Timings with(String phase, long phaseNanos) {
        Map<String, Long> copy = new LinkedHashMap<>(nanos);
        copy.put(phase, phaseNanos);
        return new Timings(copy);
    }

    public Timings withAll(Map<String, Long> phases) {
        Map<String, Long> copy = new LinkedHashMap<>(nanos);
        copy.putAll(phases);
        return new Timings(copy);
    }

    /** The phase's nanoseconds, or -1 when this backend did not report it. */
    public long get(String phase) {
        return nanos.getOrDefault(phase, -1L);
    }
}
