package io.isolab.api.spi;

import java.time.Duration;

/** A process running in a sandbox: the main one or one added by exec. */
public interface ExecHandle {

    /**
     * Waits for the process to exit and its output to be delivered.
     *
     * @param timeout how long to wait, {@code null} for as long as it takes
     * @return the exit, or {@code null} if the process is still running after {@code timeout}
     */
    ProcessExit awaitExit(Duration timeout) throws InterruptedException;

    /** Sends a signal; a no-op once the process has exited. */
    void kill(int signal);
}
