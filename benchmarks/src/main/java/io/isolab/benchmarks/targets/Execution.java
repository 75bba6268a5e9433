package io.isolab.benchmarks.targets;

import java.util.Map;

/**
 * How one run went, seen from the harness.
 *
 * @param wallNanos  the wall clock from launch until the exit was seen: a backend's create, start and exit (its
 *                   destroy is in {@code phases}); a peer's process, whatever it does before exiting
 * @param status     the workload's status in the shell's convention (128 + signal when killed)
 * @param oomKilled  killed by its memory limit, by the target's own accounting (backends only)
 * @param timedOut   killed by the harness's timeout
 * @param stdout     what it printed (bounded)
 * @param stderr     what it printed on stderr (bounded)
 * @param phases     the phase breakdown the backend reports ({@code io.isolab.api.Timings}); empty for peers
 * @param facts      how it ran, as the backend reports it
 */
public record Execution(long wallNanos, int status, boolean oomKilled, boolean timedOut, String stdout, String stderr,
                        Map<String, Long> phases, Map<String, String> facts) {

    public Execution {
        phases = phases == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(phases));
        facts = facts == null ? Map.of() : Map.copyOf(facts);
    }

    public boolean success() {
        return status == 0 && !oomKilled && !timedOut;
    }

    /** A one-line account of a failed run, for the results' error field. */
    public String failure() {
        if (timedOut) {
            return "timed out";
        }
        if (oomKilled) {
            return "killed by its memory limit";
        }
        String err = stderr.strip();
        int nl = err.lastIndexOf('\n');
        err = nl >= 0 ? err.substring(nl + 1) : err;
        return "exit status " + status + (err.isEmpty() ? "" : ": " + (err.length() > 300 ? err.substring(0, 300) : err));
    }
}
