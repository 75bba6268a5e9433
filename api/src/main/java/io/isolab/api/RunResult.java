package io.isolab.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a sandboxed process ended, what it printed, and where the time went.
 *
 * @param sandboxId the sandbox's {@code isolab-...} id
 * @param backendId the backend that ran it
 * @param exit      exit code or terminating signal
 * @param timedOut  the wall-clock limit expired and isolab killed it
 * @param oomKilled the memory limit killed it, according to the limit's own accounting (cgroup events,
 *                  the guest kernel), never guessed from the exit status
 * @param stdout    bounded standard output
 * @param stderr    bounded standard error
 * @param timings   phase timings, see {@link Timings}
 * @param stats     usage at exit, {@code null} for a backend without {@link Capability#STATS}
 * @param facts     how it ran: e.g. {@code domain-type=qemu}, {@code cgroup=v1}
 */
public record RunResult(
        String sandboxId,
        String backendId,
        ExitStatus exit,
        boolean timedOut,
        boolean oomKilled,
        CapturedOutput stdout,
        CapturedOutput stderr,
        Timings timings,
        SandboxStats stats,
        Map<String, String> facts) {

    public RunResult {
        facts = facts == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(facts));
    }

    public RunResult withTimings(Timings newTimings) {
        return new RunResult(sandboxId, backendId, exit, timedOut, oomKilled, stdout, stderr, newTimings, stats, facts);
    }

    /** Exited with code 0, not timed out, not OOM-killed. */
    public boolean success() {
        return exit.success() && !timedOut && !oomKilled;
    }
}
