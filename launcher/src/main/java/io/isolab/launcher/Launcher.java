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
        byte[] encoded = RequestEncoder.encode(request);
        long[] out = new long[8];
        byte[] error = new byte[1024];
        if (LauncherNative.isl_spawn(encoded, encoded.length, out, error, error.length) != 0) {
            throw failure((int) out[OUT_ERRNO], error);
        }
        LaunchedProcess process = new LaunchedProcess((int) out[OUT_PID], (int) out[OUT_PIDFD], out[OUT_START_TIME], io);
        loop.register(process, (int) out[OUT_STDOUT], (int) out[OUT_STDERR]);
        return process;
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
