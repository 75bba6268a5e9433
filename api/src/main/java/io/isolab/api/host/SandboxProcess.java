package io.isolab.api.host;

import io.isolab.api.RunResult;
import io.isolab.api.Timings;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessExit;
import java.util.Map;

/** A process added to a running sandbox with {@link Sandbox#exec}. */
public final class SandboxProcess {
    private final String sandboxId;
    private final String backendId;
    private final ExecHandle handle;
    private final BoundedCapture stdout;
    private final BoundedCapture stderr;
    private final long startNanos;
    private final long startedAt = System.nanoTime();

    SandboxProcess(String sandboxId, String backendId, ExecHandle handle, BoundedCapture stdout,
                   BoundedCapture stderr, long startNanos) {
        this.sandboxId = sandboxId;
        this.backendId = backendId;
        this.handle = handle;
        this.stdout = stdout;
        this.stderr = stderr;
        this.startNanos = startNanos;
    }

    /** Waits for the process to exit; its result carries no stats (those are the sandbox's). */
    public RunResult waitFor() throws InterruptedException {
        ProcessExit exit = handle.awaitExit(null);
        Timings timings = Timings.EMPTY.with(Timings.START, startNanos)
                .with(Timings.RUN, System.nanoTime() - startedAt).withAll(exit.phases());
        return new RunResult(sandboxId, backendId, exit.status(), false, exit.oomKilled(), stdout.result(),
                stderr.result(), timings, null, Map.of());
    }

    public void kill(int signal) {
        handle.kill(signal);
    }
}
