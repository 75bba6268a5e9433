package io.isolab.launcher;

/** The native launcher cannot run on this host (another OS or architecture, or the library did not load). */
public final class LauncherUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LauncherUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
