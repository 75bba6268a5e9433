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
        SETUP;

        private static final int EPERM = 1;
        private static final int ENOENT = 2;
        private static final int ENOEXEC = 8;
        private static final int EACCES = 13;
        private static final int ENOTDIR = 20;
        private static final int EISDIR = 21;
        private static final int ETXTBSY = 26;

        /**
         * The shell's conventions for a step that failed with {@code errno} (x86_64 Linux numbers, the
         * host's or a guest's): an {@code execve} that found no command is 127, one that could not run it
         * 126; anything else is a setup failure.
         */
        public static Kind of(String step, int errno) {
            if (!"execve".equals(step)) {
                return SETUP;
            }
            return switch (errno) {
                case ENOENT, ENOTDIR -> COMMAND_NOT_FOUND;
                case EACCES, ENOEXEC, EISDIR, ETXTBSY, EPERM -> NOT_EXECUTABLE;
                default -> SETUP;
            };
        }
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
