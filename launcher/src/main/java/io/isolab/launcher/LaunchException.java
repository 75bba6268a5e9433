package io.isolab.launcher;

import io.isolab.api.SandboxStartException;

/**
 * A launch failed before the workload's first instruction, at {@link #step()} (e.g. {@code chroot},
 * {@code cgroup join}, {@code execve}), with the kernel's {@link #errno()}. Nothing of the attempt is left:
 * the child was reaped, every descriptor closed.
 */
public final class LaunchException extends SandboxStartException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    LaunchException(String step, int errno, String detail) {
        super(step, Kind.of(step, errno), detail);
        this.errno = errno;
    }

    /** The error number the failing system call returned. */
    public int errno() {
        return errno;
    }
}
