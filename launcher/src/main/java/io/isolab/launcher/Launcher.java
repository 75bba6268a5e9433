package io.isolab.launcher;

import io.isolab.api.spi.ProcessIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;

/**
 * Launches sandboxed processes with the native launcher: one JNA call clones the child onto a stack of
 * its own, the child sets up what the {@link LaunchRequest} asks (in C, no JVM code between clone and
 * execve) and execs; the call returns once the workload runs, or throws the step that failed. One I/O
 * thread per launcher then serves every process it started.
 *
 * <pre>{@code
 * try (Launcher launcher = Launcher.open(cacheDir)) {
 *     LaunchedProcess p = launcher.launch(LaunchRequest.builder("/usr/bin/isolab-probe", "true")
 *             .root(RootSetup.chroot(rootfs)).newSession(true).build(), io);
 *     ProcessExit exit = p.awaitExit(null);
 * }
 * }</pre>
 *
 * Thread-safe: any thread may launch. {@link #close()} stops the I/O thread; processes still running are
 * left running, and waiting on them fails.
 */
public final class Launcher implements AutoCloseable {
    private static final int OUT_PID = 0;
    private static final int OUT_PIDFD = 1;
    private static final int OUT_STDOUT = 2;
    private static final int OUT_STDERR = 3;
    private static final int OUT_START_TIME = 4;
    private static final int OUT_ERRNO = 5;
    private static final int OUT_MOUNT_NAMESPACE = 6;
    private static final int BACKGROUND_NICE = 19;

    private final IoLoop loop;
    private volatile boolean closed;

    private Launcher() {
        loop = new IoLoop();
    }

    /**
     * Loads the native library (see {@link NativeLibrary#load}) and starts the I/O thread.
     *
     * @throws LauncherUnavailableException saying why the launcher cannot run here
     */
    public static Launcher open(Path cacheDir) {
        NativeLibrary.load(cacheDir);
        return new Launcher();
    }

    /** The kernel features the launcher found; a backend's availability probe can require some. */
    public static Set<KernelFeature> kernelFeatures(Path cacheDir) {
        NativeLibrary.load(cacheDir);
        return Collections.unmodifiableSet(KernelFeature.of(LauncherNative.isl_features()));
    }

    /**
     * Starts the process; returns once it runs (its execve succeeded).
     *
     * @param io where its stdout and stderr go; called from the I/O thread, so sinks must not block
     * @throws LaunchException naming the setup step that failed; nothing of the attempt remains
     */
    public LaunchedProcess launch(LaunchRequest request, ProcessIo io) {
        if (closed) {
            throw new IllegalStateException("the launcher is closed");
        }
        PreparedRoot prepared = request.root() instanceof RootSetup.Pivot p ? p.prepared() : null;
        int mntns = prepared != null ? prepared.take() : -1;
        int netns = -1;
        long[] out = new long[8];
        byte[] error = new byte[1024];
        boolean launched = false;
        try {
            PreparedNetwork network = prepared != null ? prepared.network() : request.network();
            netns = network != null ? network.take() : -1;
            byte[] encoded = RequestEncoder.encode(request, netns, mntns);
            if (LauncherNative.isl_spawn(encoded, encoded.length, out, error, error.length) != 0) {
                throw failure((int) out[OUT_ERRNO], error);
            }
            launched = true;
        } finally {
            if (netns >= 0) {
                LauncherNative.isl_close(netns); // the child holds the namespace now, or nobody needs it
            }
            if (mntns >= 0 && !(launched && request.keepMountNamespace())) {
                LauncherNative.isl_close(mntns);
            }
        }
        // a prepared root's namespace is the one to keep
        int kept = mntns >= 0 && request.keepMountNamespace() ? mntns : (int) out[OUT_MOUNT_NAMESPACE];
        return running(out, kept, io);
    }

    /**
     * Launches {@code request} in a parked launch: the child gets the rest of the request and execs; returns
     * once the workload runs. The request must ask for the parked launch's namespaces and root and join
     * nothing; the parked launch is used up, launched or not.
     *
     * @throws LaunchException naming the step that failed; nothing of the attempt remains
     */
    public LaunchedProcess launch(ParkedLaunch parked, LaunchRequest request, ProcessIo io) {
        if (closed) {
            throw new IllegalStateException("the launcher is closed");
        }
        if (!request.namespaces().equals(parked.namespaces()) || !parked.root().equals(request.root())
                || request.join() != null || request.network() != null || !request.uidMap().isEmpty()) {
            parked.close();
            throw new IllegalArgumentException("the request is not the parked launch's: it must ask for its namespaces "
                    + parked.namespaces() + " and root, and join nothing");
        }
        long handle = parked.take();
        int mntns = parked.takeMountNamespace();
        long[] out = new long[8];
        byte[] error = new byte[1024];
        boolean launched = false;
        try {
            byte[] encoded = RequestEncoder.encode(request, -1, -1);
            if (LauncherNative.isl_unpark(handle, encoded, encoded.length, out, error, error.length) != 0) {
                throw failure((int) out[OUT_ERRNO], error);
            }
            launched = true;
        } finally {
            if (mntns >= 0 && !(launched && request.keepMountNamespace())) {
                LauncherNative.isl_close(mntns);
            }
        }
        return running(out, request.keepMountNamespace() ? mntns : -1, io);
    }

    private LaunchedProcess running(long[] out, int mountNamespace, ProcessIo io) {
        LaunchedProcess process = new LaunchedProcess((int) out[OUT_PID], (int) out[OUT_PIDFD], out[OUT_START_TIME],
                mountNamespace, io);
        try {
            loop.register(process, (int) out[OUT_STDOUT], (int) out[OUT_STDERR]);
        } catch (RuntimeException e) {
            process.releaseMountNamespace();
            throw e;
        }
        return process;
    }

    /**
     * Parks a launch in {@code root}, a pivot root on a {@link PreparedRoot} (without bind mounts, not
     * read-only): a child is cloned into {@code namespaces} (without user and time namespaces), joins the
     * prepared root and its network, mounts its /proc with the masks under it, and waits for
     * {@link #launch(ParkedLaunch, LaunchRequest, ProcessIo)}. The prepared root is used up either way.
     *
     * @throws LaunchException naming the step that failed (the kernel lacks close_range, Linux 5.9 ...)
     */
    public ParkedLaunch park(Set<Namespace> namespaces, RootSetup.Pivot root) {
        if (root.prepared() == null || !root.mounts().isEmpty() || root.readOnly()
                || !namespaces.containsAll(Set.of(Namespace.MOUNT, Namespace.NET))
                || namespaces.contains(Namespace.USER) || namespaces.contains(Namespace.TIME)) {
            throw new IllegalArgumentException("a parked launch has a prepared root without bind mounts, not read-only,"
                    + " new mount and network namespaces and no user or time namespace: " + namespaces + " " + root);
        }
        int mntns = root.prepared().take();
        int netns = -1;
        long[] out = new long[8];
        byte[] error = new byte[1024];
        long handle = 0;
        try {
            netns = root.prepared().network().take();
            byte[] encoded = RequestEncoder.encodePark(namespaces, root, netns, mntns);
            handle = LauncherNative.isl_park(encoded, encoded.length, out, error, error.length);
            if (handle == 0) {
                throw failure((int) out[OUT_ERRNO], error);
            }
        } finally {
            if (netns >= 0) {
                LauncherNative.isl_close(netns); // the child is in it now, or nobody needs it
            }
            if (handle == 0) {
                LauncherNative.isl_close(mntns);
            }
        }
        return new ParkedLaunch(namespaces, root, (int) out[OUT_PID], handle, mntns);
    }

    /**
     * Makes a network namespace for a later launch (see {@link PreparedNetwork}). The calling thread enters
     * the new namespace and leaves it within this call. Needs CAP_SYS_ADMIN in the caller's user namespace.
     *
     * @throws LaunchException when the kernel refuses (no privilege, user.max_net_namespaces reached)
     */
    public PreparedNetwork prepareNetwork() {
        int fd = LauncherNative.isl_netns_new();
        if (fd < 0) {
            throw new LaunchException("prepare network namespace", -fd, "unshare(CLONE_NEWNET), lo up");
        }
        return new PreparedNetwork(fd);
    }

    /**
     * Assembles {@code base} ahead of a launch, in a mount namespace of its own whose /sys belongs to
     * {@code network} (see {@link PreparedRoot}): a short-lived child clones the mount namespace, mounts the
     * overlay (layers in memory, their tmpfs over {@code base.mountPoint()} in that namespace only), /dev,
     * /sys, the masks and read-only paths outside /proc, pivots into it and detaches the old root, hands the
     * namespace over and exits. The root then owns {@code network}.
     *
     * @param base a pivot root with an in-memory overlay, without bind mounts, not read-only (those, and
     *             /proc, are the launch's)
     * @throws LaunchException naming the step that failed; {@code network} is still the caller's
     */
    public PreparedRoot prepareRoot(RootSetup.Pivot base, PreparedNetwork network) {
        if (base.overlay() == null || !base.overlay().inMemory() || !base.mounts().isEmpty() || base.readOnly()
                || base.prepared() != null) {
            throw new IllegalArgumentException("a root prepared ahead has an in-memory overlay and nothing that is"
                    + " the launch's (bind mounts, read-only root): " + base);
        }
        long[] out = new long[8];
        byte[] error = new byte[1024];
        byte[] encoded = RequestEncoder.encodePrepare(base, network.fd());
        if (LauncherNative.isl_spawn(encoded, encoded.length, out, error, error.length) != 0) {
            throw failure((int) out[OUT_ERRNO], error);
        }
        return new PreparedRoot(base, network, (int) out[OUT_MOUNT_NAMESPACE]);
    }

    /**
     * Makes the calling thread yield the CPU to launches (nice 19; Linux schedules each thread with its
     * own): for a thread that prepares what later launches use ({@link #prepareNetwork()}), so that on a
     * busy machine it does not slow the launches it works for.
     */
    public void yieldToLaunches() {
        int rc = LauncherNative.isl_nice_thread(BACKGROUND_NICE);
        if (rc < 0) {
            throw new IllegalStateException("setpriority: errno " + -rc);
        }
    }

    /**
     * The live processes of session {@code sid} (see {@link LaunchRequest#newSession()}) that started at
     * or after {@code minStartTime} (clock ticks since boot); older ones belong to an earlier session
     * with the same id.
     */
    public int[] sessionMembers(int sid, long minStartTime) {
        return scanSession(sid, minStartTime, 0);
    }

    /**
     * Signals every live process of the session, each through a pidfd after re-checking its start time,
     * so a reused pid is never hit. Returns the processes signalled. A process that left the session with
     * setsid() is not found: without cgroups nothing can follow it.
     */
    public int[] signalSession(int sid, long minStartTime, int signal) {
        if (signal < 1) {
            throw new IllegalArgumentException("bad signal " + signal);
        }
        return scanSession(sid, minStartTime, signal);
    }

    private static int[] scanSession(int sid, long minStartTime, int signal) {
        int[] pids = new int[256];
        while (true) {
            int n = LauncherNative.isl_session_scan(sid, minStartTime, signal, pids, pids.length);
            if (n < 0) {
                throw new IllegalStateException("cannot scan /proc: errno " + -n);
            }
            if (n <= pids.length) {
                return Arrays.copyOf(pids, n);
            }
            pids = new int[n * 2];
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.close();
    }

    private static LaunchException failure(int errno, byte[] error) {
        int stepEnd = indexOf(error, 0);
        int detailEnd = indexOf(error, stepEnd + 1);
        String step = new String(error, 0, stepEnd, StandardCharsets.UTF_8);
        String detail = new String(error, stepEnd + 1, Math.max(0, detailEnd - stepEnd - 1), StandardCharsets.UTF_8);
        return new LaunchException(step.isEmpty() ? "launch" : step, errno, detail);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = Math.min(from, bytes.length); i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return bytes.length;
    }
}
