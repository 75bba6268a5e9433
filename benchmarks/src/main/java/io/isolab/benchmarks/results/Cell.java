package io.isolab.benchmarks.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One target × workload: its raw samples and why it has none.
 *
 * @param target    target id
 * @param workload  workload key
 * @param argv      the probe's arguments it ran
 * @param status    {@code measured}, {@code unavailable} (the target cannot run here), {@code unsupported}
 *                  (the target does not run this workload), {@code failed} (no sample succeeded)
 * @param reason    why not measured
 * @param warmups   runs discarded as warm-up
 * @param samples   the measured runs
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Cell(String target, String workload, List<String> argv, String status, String reason, int warmups,
                   List<Sample> samples) {

    public static final String MEASURED = "measured";
    public static final String UNAVAILABLE = "unavailable";
    public static final String UNSUPPORTED = "unsupported";
    public static final String FAILED = "failed";

    public Cell {
        argv = argv == null ? List.of() : List.copyOf(argv);
        samples = samples == null ? List.of() : List.copyOf(samples);
    }

    public List<Sample> okSamples() {
        return samples.stream().filter(Sample::ok).toList();
    }
}
