package io.isolab.backend.hypervisor;

import io.isolab.api.ExitStatus;
import io.isolab.api.SandboxStartException;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A process in the guest, as the host follows it: started, its output, its exit. */
final class GuestProcess implements ExecHandle {

    private final VmSandbox sandbox;
    private final int slot;
    private final ProcessIo io;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<ProcessExit> exit = new CompletableFuture<>();

    GuestProcess(VmSandbox sandbox, int slot, ProcessIo io) {
        this.sandbox = sandbox;
        this.slot = slot;
        this.io = io;
    }

    int slot() {
        return slot;
    }

    ProcessIo io() {
        return io;
    }

    void started() {
        started.complete(null);
    }

    void failedToStart(GuestProtocol.StartFailure failure) {
        started.completeExceptionally(new SandboxStartException(failure.step(),
                SandboxStartException.Kind.of(failure.step(), failure.errno()), failure.detail() + " (in the guest)"));
    }

    void failedToStart(String why) {
        started.completeExceptionally(new SandboxStartException("start", SandboxStartException.Kind.SETUP, why));
    }

    void exited(ProcessExit processExit) {
        started.complete(null);
        exit.complete(processExit);
    }

    boolean hasExited() {
        return exit.isDone();
    }

    /** Waits for the guest to say the process runs; throws its start failure. */
    void awaitStarted(Duration timeout) throws InterruptedException {
        try {
            started.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SandboxStartException s) {
                throw s;
            }
            throw new SandboxStartException("start", "the guest failed to start the process", e.getCause());
        } catch (TimeoutException e) {
            throw new SandboxStartException("start", SandboxStartException.Kind.SETUP,
                    "the guest did not report the process started within " + timeout.toSeconds() + " s");
        }
    }

    @Override
    public ProcessExit awaitExit(Duration timeout) throws InterruptedException {
        try {
            return timeout == null ? exit.get() : exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("following the process failed", e.getCause());
        }
    }

    @Override
    public void kill(int signal) {
        if (!exit.isDone()) {
            sandbox.signal(slot, signal);
        }
    }

    static ExitStatus status(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? ExitStatus.exited((waitStatus >> 8) & 0xff) : ExitStatus.killed(signal);
    }
}
