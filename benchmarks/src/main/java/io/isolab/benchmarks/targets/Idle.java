package io.isolab.benchmarks.targets;

import java.time.Duration;
import java.util.Set;

/** A started sandbox (or peer container) whose workload idles: for footprint and density. */
public interface Idle extends AutoCloseable {

    /**
     * Waits until the workload inside runs: its first output line has arrived.
     *
     * @return false when it did not within {@code timeout}, or ended first
     */
    boolean awaitRunning(Duration timeout) throws InterruptedException;

    /** Every host process kept for this sandbox, the workload included (QEMU for a VM). */
    Set<Long> hostPids();

    /** {@code SandboxStats.hostOverheadBytes} where the backend reports it, else {@code null}. */
    Long reportedOverheadBytes();

    /** Why it failed, when {@link #awaitRunning} said false. */
    String failure();

    /** Kills and removes it; idempotent. */
    @Override
    void close();
}
