package io.isolab.benchmarks.targets;

import io.isolab.api.Availability;
import io.isolab.api.Capability;
import io.isolab.benchmarks.workload.Workload;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Something the harness runs the probe under: an isolab backend (through {@code io.isolab.api} only), the
 * native baseline, the C floor launcher, or a peer tool run as a process.
 */
public interface Target extends AutoCloseable {

    /** What a target is, for the report's grouping. */
    enum Kind { BASELINE, BACKEND, PEER }

    /** {@code native}, {@code floor}, {@code chroot}, {@code crun} ... */
    String id();

    Kind kind();

    /** How it runs, in one line (the command template for a peer, the lineage for a backend). */
    String description();

    /** Whether it runs here; why not, when it doesn't. */
    Availability availability();

    /** Why this target does not run a workload, or empty when it does. */
    default Optional<String> unsupported(Workload workload) {
        return Optional.empty();
    }

    /** Runs the probe to its exit. */
    Execution run(Invocation invocation) throws Exception;

    /** Starts the probe and returns while it runs; the caller closes it. */
    Idle start(Invocation invocation) throws Exception;

    /** What the target says it isolates (a peer: what its command line asks for). */
    Set<Capability> declared();

    /** Version and settings worth recording with the results. */
    Map<String, String> facts();

    @Override
    default void close() {
    }
}
