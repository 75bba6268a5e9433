package io.isolab.api;

/**
 * Setting up or starting a sandbox failed at a named step (e.g. {@code chroot}, {@code execve},
 * {@code cgroup join}, {@code domain create}). By the time this is thrown, everything the attempt
 * created has been removed.
 */
public class SandboxStartException extends IsolabException {
    private static final long serialVersionUID = 1L;

    /** Why the step failed, when the cause maps onto a conventional exit status. */
    public enum Kind {
        /** The command does not exist in the sandbox (shell convention: 127). */
        COMMAND_NOT_FOUND,
        /** The command exists but cannot be executed (shell convention: 126). */
        NOT_EXECUTABLE,
        /** Any other setup failure. */
        SETUP
    }

    private final String step;
    private final Kind kind;

    public SandboxStartException(String step, Kind kind, String detail) {
        super(step + ": " + detail);
        this.step = step;
        this.kind = kind;
    }

    public SandboxStartException(String step, String detail, Throwable cause) {
        super(step + ": " + detail, cause);
        this.step = step;
        this.kind = Kind.SETUP;
    }

    public String step() {
        return step;
    }

    public Kind kind() {
        return kind;
    }
}
