package io.isolab.api.spi;

import io.isolab.api.Capability;
import io.isolab.api.IsolabException;
import io.isolab.api.ProcessSpec;
import io.isolab.api.SandboxStats;
import io.isolab.api.UnsupportedCapabilityException;

/**
 * One sandbox, as its backend manages it. The host calls {@link #start} once, then any of the others,
 * then {@link #destroy} exactly once, whatever happened before.
 */
public interface SandboxHandle {

    /**
     * Starts the main process of the spec. Returns once it runs; a failure of any setup step is thrown as
     * {@link io.isolab.api.SandboxStartException} naming the step.
     */
    ExecHandle start(ProcessIo io) throws IsolabException;

    /** Kills every process of the sandbox (for a timeout, or before destroy). */
    void killAll();

    /** Runs one more process in the running sandbox. Optional: {@link Capability#EXEC}. */
    default ExecHandle exec(ProcessSpec process, ProcessIo io) throws IsolabException {
        throw new UnsupportedCapabilityException(backendId(), Capability.EXEC, "exec");
    }

    /** Usage now (or at exit, until destroy). Optional: {@link Capability#STATS}. */
    default SandboxStats stats() throws IsolabException {
        throw new UnsupportedCapabilityException(backendId(), Capability.STATS, "stats");
    }

    /** Optional: {@link Capability#PAUSE}. */
    default void pause() throws IsolabException {
        throw new UnsupportedCapabilityException(backendId(), Capability.PAUSE, "pause");
    }

    /** Optional: {@link Capability#PAUSE}. */
    default void resume() throws IsolabException {
        throw new UnsupportedCapabilityException(backendId(), Capability.PAUSE, "resume");
    }

    /**
     * Removes everything the sandbox created on the host: processes, cgroups, mounts, namespaces,
     * domains. Idempotent; tolerates resources that are already gone.
     */
    void destroy() throws IsolabException;

    /** The id of the backend this sandbox belongs to, for error messages. */
    String backendId();
}
