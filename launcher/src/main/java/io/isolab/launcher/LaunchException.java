package io.isolab.launcher;

import io.isolab.api.SandboxStartException;

/**
 * A launch failed before the workload's first instruction, at {@link #step()} (e.g. {@code chroot},
 * {@code cgroup join}, {@code execve}), with the kernel's {@link #errno()}. Nothing of the attempt is left:
 * the child was reaped, every descriptor closed.
 */
public final class LaunchException extends SandboxStartException {
    private static final long serialVersionUID = 1L;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int ENOEXEC = 8;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int EISDIR = 21;
    private static final int ETXTBSY = 26;
    private final int errno;

    LaunchException(String step, int errno, String detail) {
        super(step, kind(step, errno), detail);
        this.errno = errno;
    }

    /** The error number the failing system call returned. */
    public int errno() {
        return errno;
    }

    /** The shell's conventions: a missing command is 127, one that cannot be executed 126. */
    private static Kind kind(String step, int errno) {
        if (!step.equals("execve")) {
            return Kind.SETUP;
        }
        return switch (errno) {
            case ENOENT, ENOTDIR -> Kind.COMMAND_NOT_FOUND;
            case EACCES, ENOEXEC, EISDIR, ETXTBSY, EPERM -> Kind.NOT_EXECUTABLE;
            default -> Kind.SETUP;
        };
    }
}
