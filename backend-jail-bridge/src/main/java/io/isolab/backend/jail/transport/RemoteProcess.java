package io.isolab.backend.jail.transport;

import java.time.Duration;

/** A command started on the host whose output streams to sinks as it arrives. */
public interface RemoteProcess {

    /**
     * Waits for the command to end and for all its output to be delivered to the sinks.
     *
     * @param timeout how long to wait, {@code null} for as long as it takes
     * @return how it ended, or {@code null} when it still runs after {@code timeout}
     */
    Exit await(Duration timeout) throws InterruptedException;

    /**
     * Sends a signal, by its name without the {@code SIG} prefix ({@code KILL}, {@code TERM}); a no-op once the
     * command has ended.
     *
     * @throws TransportException when the signal cannot be delivered
     */
    void signal(String name);

    boolean isAlive();
}
