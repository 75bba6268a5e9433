package io.isolab.launcher;

import java.util.Set;

/**
 * A launch made ahead up to its last steps by {@link Launcher#park}: a child cloned into its new pid, uts,
 * ipc and cgroup namespaces, in a {@link PreparedRoot} and its network, with its {@code /proc} mounted and
 * masked, waiting. {@link Launcher#launch(ParkedLaunch, LaunchRequest, io.isolab.api.spi.ProcessIo)} gives it the rest (the
 * command, cgroups, stdio, session, hostname, limits, user) and it execs: the clone and the root's last
 * steps are then off the launch's path, as a zygote's fork is off an Android app's start.
 *
 * <p>The child runs only the launcher's C code, shares none of the JVM's descriptors, and exits of itself
 * when this is closed or the JVM dies (its socket's other end closes). Used by one launch only. It is a
 * process of the JVM's while it waits: not a monitor beside a running sandbox. Thread-safe.
 */
public final class ParkedLaunch implements AutoCloseable {
    /**
     * The {@link LaunchException#step()} of a launch whose parked child was gone (killed while it waited):
     * nothing of the launch ran, and the caller may launch the usual way instead.
     */
    public static final String GONE = "parked child gone";
    private final Set<Namespace> namespaces;
    private final RootSetup.Pivot root;
    private final int pid;
    /** The native handle; 0 once launched or closed. Guarded by this. */
    private long handle;
    /** The prepared root's mount namespace, which the launched process may keep; -1 once handed on or closed. */
    private int mountNamespace;

    ParkedLaunch(Set<Namespace> namespaces, RootSetup.Pivot root, int pid, long handle, int mountNamespace) {
        this.namespaces = Set.copyOf(namespaces);
        this.root = root;
        this.pid = pid;
        this.handle = handle;
        this.mountNamespace = mountNamespace;
    }

    /** The namespaces the child is in: a launch of it asks for exactly these. */
    public Set<Namespace> namespaces() {
        return namespaces;
    }

    /** The root the child is in: a launch of it names this one. */
    public RootSetup.Pivot root() {
        return root;
    }

    /** The waiting child's pid, which the launched workload keeps. */
    public int pid() {
        return pid;
    }

    /** Hands the child and the mount namespace to a launch, which owns them from then on; a second is refused. */
    synchronized long take() {
        if (handle == 0) {
            throw new IllegalStateException("this parked launch was launched or closed already");
        }
        long taken = handle;
        handle = 0;
        return taken;
    }

    /** The mount namespace, taken with the child by its launch. */
    synchronized int takeMountNamespace() {
        int taken = mountNamespace;
        mountNamespace = -1;
        return taken;
    }

    /** Lets the child go (it exits and is reaped) and releases its root, if no launch took them. Idempotent. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            LauncherNative.isl_park_cancel(handle);
            handle = 0;
        }
        if (mountNamespace >= 0) {
            LauncherNative.isl_close(mountNamespace);
            mountNamespace = -1;
        }
    }
}
