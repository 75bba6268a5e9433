package io.isolab.backend.jail.transport;

import io.isolab.api.IsolabException;

/** The host cannot be reached, refused us, or the connection broke. */
public class TransportException extends IsolabException {
    private static final long serialVersionUID = 1L;

    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
