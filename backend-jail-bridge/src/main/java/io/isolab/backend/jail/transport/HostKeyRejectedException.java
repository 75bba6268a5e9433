package io.isolab.backend.jail.transport;

/** The host's key is not in known_hosts, or differs from the one there: we refuse to talk to it. */
public class HostKeyRejectedException extends TransportException {
    private static final long serialVersionUID = 1L;

    public HostKeyRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
