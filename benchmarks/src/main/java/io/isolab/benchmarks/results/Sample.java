package io.isolab.benchmarks.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured run, as raw as it came.
 *
 * @param round     the interleaved round it ran in
 * @param wallNanos the harness's clock around it (launch -> exit, a backend's destroy excluded and in
 *                  {@code phases}; for density, all N)
 * @param ok        whether it succeeded; failed samples are kept and left out of the statistics
 * @param error     why it failed
 * @param probe     the workload's own JSON line from inside the sandbox, when it printed one
 * @param phases    the backend's phase breakdown in nanoseconds (create, start, run, destroy, boot ...)
 * @param host      what the harness measured from the host (footprint: rss/pss bytes, processes; density:
 *                  launched, failed, per_second)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Sample(int round, long wallNanos, boolean ok, String error, JsonNode probe, Map<String, Long> phases,
                     Map<String, Double> host) {

    public Sample {
        // in the order they happened (create, start, run, destroy): the phase chart stacks them so
        phases = phases == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(phases));
        host = host == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(host));
    }

    /** The raw value of {@code key}: the wall clock, a host measurement, or a number in the probe's JSON. */
    public Double value(String key) {
        if (key.equals(io.isolab.benchmarks.workload.Metric.WALL_KEY)) {
            return (double) wallNanos;
        }
        if (host.containsKey(key)) {
            return host.get(key);
        }
        if (probe != null && probe.path(key).isNumber()) {
            return probe.path(key).asDouble();
        }
        return null;
    }
}
