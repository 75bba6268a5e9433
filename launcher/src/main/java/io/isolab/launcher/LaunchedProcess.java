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
    private final CompletableFuture<ProcessExit> exit = new CompletableFuture<>();
    /** -1 once closed, or when the kernel has no pidfds (before Linux 5.2); guarded by this. */
    private int pidfd;
    /** Set once reaped, under this: after that the pid may belong to anyone. */
    private boolean reaped;

    LaunchedProcess(int pid, int pidfd, long startTime, ProcessIo io) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.startTime = startTime;
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

    @Override
    public ProcessExit awaitExit(Duration timeout) throws InterruptedException {
        try {
            return timeout == null ? exit.get() : exit.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("lost track of process " + pid + ": " + e.getCause().getMessage(), e.getCause());
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
    synchronized ExitStatus reap() {
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
