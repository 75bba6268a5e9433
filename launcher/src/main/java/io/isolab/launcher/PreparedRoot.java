package io.isolab.launcher;

/**
 * A pivot root made ahead of a launch by {@link Launcher#prepareRoot}: a mount namespace holding the
 * overlay, {@code /dev}, {@code /sys} and the masks and read-only paths outside {@code /proc}, pivoted into
 * with the old root detached, and the network namespace (made ahead too) that its {@code /sys} belongs
 * to. A launch whose pivot root names it ({@link RootSetup.Pivot.Builder#prepared}) joins both and does
 * only what depends on it: {@code /proc} of its own pid namespace, the masks and read-only paths under it,
 * its bind mounts, the read-only root. Assembling the rest (overlay, pivot, detaching the old root with its
 * RCU grace period, /dev, /sys) is then off the launch's path.
 *
 * <p>Used by one launch only: no sandbox ever sees a root another one used. It lives as long as this object
 * is open or a process is in it; nothing of it is on the host (its layers are in memory). Thread-safe.
 */
public final class PreparedRoot implements AutoCloseable {
    private final RootSetup.Pivot base;
    private final PreparedNetwork network;
    /** The mount namespace's descriptor; -1 once taken by a launch or closed. Guarded by this. */
    private int fd;

    PreparedRoot(RootSetup.Pivot base, PreparedNetwork network, int fd) {
        this.base = base;
        this.network = network;
        this.fd = fd;
    }

    /** What was assembled: a launch's pivot root must agree with it (see {@link RootSetup.Pivot}). */
    public RootSetup.Pivot base() {
        return base;
    }

    PreparedNetwork network() {
        return network;
    }

    /** Hands the descriptor to a launch, which owns it from then on; a second launch is refused. */
    synchronized int take() {
        if (fd < 0) {
            throw new IllegalStateException("this prepared root was used or closed already");
        }
        int taken = fd;
        fd = -1;
        return taken;
    }

    /** Releases the root (its teardown happens here) and its network if no launch took them. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (fd >= 0) {
                LauncherNative.isl_close(fd);
                fd = -1;
            }
        }
        network.close();
    }
}
