package io.isolab.api;

/**
 * Base of every error isolab reports. Messages are written for the user: they name the field, step or
 * capability at fault, so the CLI prints them without a stack trace.
 */
public class IsolabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IsolabException(String message) {
        super(message);
    }

    public IsolabException(String message, Throwable cause) {
        super(message, cause);
    }
}
