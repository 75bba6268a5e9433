package io.isolab.launcher;

import io.isolab.api.ExitStatus;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process started by {@link Launcher#launch}. Its launcher's I/O thread delivers its output to the
 * {@link ProcessIo} sinks, reaps it when its pidfd says it exited, and then completes {@link #onExit()}:
 * so {@link #awaitExit} returns only after the output the process wrote was delivered. Signals go
 * through the pidfd, so they can never reach another process that reused the pid.
 */
public final class LaunchedProcess implements ExecHandle {
    private final int pid;
    private final long startTime;
    private final ProcessIo io;
    /** How long a waiter polls the pidfd before it looks for an interrupt. */
    private static final int POLL_SLICE_MS = 100;
    private final CompletableFuture<ProcessExit> exit = new CompletableFuture<>();
    /** The I/O thread's handling of this process's exit, for a waiter that sees it first. */
    private volatile Runnable exitSeen = () -> { };
    /** -1 once closed, or when the kernel has no pidfds (before Linux 5.2); guarded by this. */
    private int pidfd;
    /** Set once reaped, under this: after that the pid may belong to anyone. */
    private boolean reaped;
    /** The mount namespace held for {@link LaunchRequest#keepMountNamespace()}, or -1; guarded by this. */
    private int mountNamespace;

    LaunchedProcess(int pid, int pidfd, long startTime, int mountNamespace, ProcessIo io) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.startTime = startTime;
        this.mountNamespace = mountNamespace;
        this.io = io;
    }

    /** The pid, as the caller's pid namespace sees it. */
    public int pid() {
        return pid;
    }

    /**
     * When it started, in clock ticks since boot ({@code /proc/PID/stat} field 22): with the pid and the
     * boot id, it names this process across a restart of the JVM. -1 if it could not be read.
     */
    public long startTime() {
        return startTime;
    }

    /** Completes with the exit once the process is reaped and its output delivered. */
    public CompletableFuture<ProcessExit> onExit() {
        return exit.copy();
    }

    public boolean isAlive() {
        return !exit.isDone();
    }

    /**
     * Waits for the exit. The waiting thread watches the pidfd itself and, when it turns readable, handles
     * the exit (reap, output delivered) if the launcher's I/O thread has not yet: one wake-up instead of
     * two (the I/O thread's, then this one's), which on a busy machine is a scheduling delay less.
     */
    @Override
    public ProcessExit awaitExit(Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeout.toNanos());
        if (!exit.isDone() && pollPidfd(deadline)) {
            exitSeen.run();
        }
        try {
            return timeout == null ? exit.get() : exit.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("lost track of process " + pid + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Whether the pidfd turned readable (the process exited) before the deadline. Polls a duplicate (the
     * I/O thread may close the pidfd meanwhile, and its number be reused), in slices so that an interrupt
     * is seen. False at once without a pidfd (before Linux 5.3, or already closed).
     */
    private boolean pollPidfd(long deadline) throws InterruptedException {
        int fd;
        synchronized (this) {
            fd = pidfd >= 0 && !reaped ? LauncherNative.isl_dup(pidfd) : -1;
        }
        if (fd < 0) {
            return false;
        }
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                int rc = LauncherNative.isl_poll_in(fd, (int) Math.min(POLL_SLICE_MS, (left + 999_999) / 1_000_000));
                if (rc != 0) {
                    return rc > 0;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            LauncherNative.isl_close(fd);
        }
    }

    @Override
    public synchronized void kill(int signal) {
        if (reaped) {
            return;
        }
        int rc = LauncherNative.isl_kill(pidfd, pid, signal);
        if (rc < 0 && rc != -LauncherNative.ESRCH) {
            throw new IllegalStateException("cannot signal process " + pid + ": errno " + -rc);
        }
    }

    /**
     * Lets go of the mount namespace the launcher held ({@link LaunchRequest#keepMountNamespace()}): once no
     * process is in it either, the kernel tears it down, in this call. Idempotent; a no-op when none is held.
     */
    public synchronized void releaseMountNamespace() {
        if (mountNamespace >= 0) {
            LauncherNative.isl_close(mountNamespace);
            mountNamespace = -1;
        }
    }

    @Override
    public String toString() {
        return "process " + pid + (isAlive() ? "" : " (" + exit.getNow(null) + ")");
    }

    ProcessIo io() {
        return io;
    }

    synchronized int pidfd() {
        return pidfd;
    }

    /** Reaps the process if it has exited: its status, or {@code null} while it runs. */
    /** Set at registration with the I/O thread. */
    void exitSeen(Runnable handler) {
        exitSeen = handler;
    }

    synchronized ExitStatus reap() {
        if (reaped) {
            return null; // by another thread, which completes the exit
        }
        int[] status = new int[2];
        int rc = LauncherNative.isl_wait(pidfd, pid, status);
        if (rc == 0) {
            return null;
        }
        reaped = true;
        if (rc < 0) {
            throw new IllegalStateException("waitid: errno " + -rc + (rc == -LauncherNative.ECHILD
                    ? " (the process was reaped by someone else: is SIGCHLD ignored in this JVM?)" : ""));
        }
        return status[1] != 0 ? ExitStatus.killed(status[1]) : ExitStatus.exited(status[0]);
    }

    synchronized void closePidfd() {
        reaped = true;
        if (pidfd >= 0) {
            LauncherNative.isl_close(pidfd);
            pidfd = -1;
        }
    }

    void complete(ProcessExit result) {
        exit.complete(result);
    }

    void fail(Throwable cause) {
        exit.completeExceptionally(cause);
    }
}
