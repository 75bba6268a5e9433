package io.isolab.launcher;

/**
 * A network namespace made ahead of a launch by {@link Launcher#prepareNetwork()}: brand new, only
 * {@code lo}, up. A launch whose request names it ({@link LaunchRequest.Builder#network}) joins it instead
 * of creating one in its clone, which takes the kernel's per-namespace setup (every network subsystem's
 * init, 0.5 ms at best and several under load) off the launch. Used by one launch only, so no sandbox ever
 * sees a namespace another one used; it lives as long as this object is open or a process is in it.
 * Thread-safe.
 */
public final class PreparedNetwork implements AutoCloseable {
    /** The namespace's descriptor; -1 once taken by a launch or closed. Guarded by this. */
    private int fd;

    PreparedNetwork(int fd) {
        this.fd = fd;
    }

    /** The descriptor, still this object's: for preparing a root in it. */
    synchronized int fd() {
        if (fd < 0) {
            throw new IllegalStateException("this prepared network namespace was used or closed already");
        }
        return fd;
    }

    /** Hands the descriptor to a launch, which closes it; a second launch is refused. */
    synchronized int take() {
        if (fd < 0) {
            throw new IllegalStateException("this prepared network namespace was used or closed already");
        }
        int taken = fd;
        fd = -1;
        return taken;
    }

    /** Releases the namespace if no launch took it. Idempotent. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LauncherNative.isl_close(fd);
            fd = -1;
        }
    }
}
