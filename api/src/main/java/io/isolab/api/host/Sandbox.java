package io.isolab.api.host;

import io.isolab.api.Capability;
import io.isolab.api.ExitStatus;
import io.isolab.api.OutputListener;
import io.isolab.api.ProcessSpec;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.SandboxStats;
import io.isolab.api.Timings;
import io.isolab.api.UnsupportedCapabilityException;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox: created, then {@link #start}ed, then waited for; {@link #close()} destroys it and everything
 * it created on the host, whatever state it is in. Not thread-safe, except {@link #kill}, which may be
 * called from any thread.
 */
public final class Sandbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);
    /** How long a killed sandbox may take to report its exit before it is destroyed regardless. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    /** Where a sandbox is in its life. */
    public enum State { CREATED, RUNNING, EXITED, FAILED, DESTROYED }

    private final String id;
    private final Backend backend;
    private final SandboxSpec spec;
    private final SandboxHandle handle;
    private final Leases.Lease lease;
    private final Path dir;
    private Timings timings;
    private volatile State state = State.CREATED;
    private BoundedCapture stdout;
    private BoundedCapture stderr;
    private ExecHandle main;
    private long startedAt;
    private RunResult result;

    Sandbox(String id, Backend backend, SandboxSpec spec, SandboxHandle handle, Leases.Lease lease, Path dir,
            long createNanos) {
        this.id = id;
        this.backend = backend;
        this.spec = spec;
        this.handle = handle;
        this.lease = lease;
        this.dir = dir;
        this.timings = Timings.EMPTY.with(Timings.CREATE, createNanos);
    }

    /** {@code isolab-<backend>-<random>}: every host resource of this sandbox carries it. */
    public String id() {
        return id;
    }

    public String backendId() {
        return backend.id();
    }

    public SandboxSpec spec() {
        return spec;
    }

    public State state() {
        return state;
    }

    public void start() {
        start(OutputListener.NONE);
    }

    /**
     * Starts the main process.
     *
     * @throws SandboxStartException naming the setup step that failed; the sandbox is then FAILED and
     *                               only {@link #close()} is left to do
     */
    public void start(OutputListener listener) {
        requireState(State.CREATED, "start");
        stdout = new BoundedCapture(spec.outputLimitBytes(), listener::stdout);
        stderr = new BoundedCapture(spec.outputLimitBytes(), listener::stderr);
        long t0 = System.nanoTime();
        try {
            main = handle.start(new ProcessIo(stdout, stderr));
        } catch (RuntimeException e) {
            state = State.FAILED;
            throw e;
        }
        startedAt = System.nanoTime();
        timings = timings.with(Timings.START, startedAt - t0);
        state = State.RUNNING;
    }

    /**
     * Waits for the main process to exit, killing the sandbox when the spec's timeout expires first.
     * Returns the same result when called again.
     */
    public RunResult waitFor() throws InterruptedException {
        if (result != null) {
            return result;
        }
        requireState(State.RUNNING, "wait for");
        Duration timeout = spec.limits().timeout();
        ProcessExit exit;
        boolean timedOut = false;
        if (timeout == null) {
            exit = main.awaitExit(null);
        } else {
            Duration left = timeout.minusNanos(System.nanoTime() - startedAt);
            exit = left.isNegative() ? null : main.awaitExit(left);
            if (exit == null) {
                timedOut = true;
                LOG.debug("{}: timed out after {}, killing it", id, timeout);
                handle.killAll();
                exit = main.awaitExit(KILL_GRACE);
                if (exit == null) {
                    LOG.warn("{}: still running {} after it was killed; destroying it", id, KILL_GRACE);
                    handle.destroy();
                    exit = ProcessExit.of(ExitStatus.killed(9));
                }
            }
        }
        long exitedAt = System.nanoTime();
        state = State.EXITED;
        SandboxStats stats = null;
        if (backend.descriptor().has(Capability.STATS)) {
            try {
                stats = handle.stats();
            } catch (RuntimeException e) {
                LOG.debug("{}: no final stats: {}", id, e.getMessage());
            }
        }
        Timings done = timings.with(Timings.RUN, exitedAt - startedAt).withAll(exit.phases());
        result = new RunResult(id, backend.id(), exit.status(), timedOut, exit.oomKilled(),
                stdout.result(), stderr.result(), done, stats, backend.driverFacts());
        return result;
    }

    /**
     * Runs one more process in this running sandbox, in its namespaces and cgroup.
     *
     * @throws UnsupportedCapabilityException when the backend lacks {@link Capability#EXEC}
     */
    public SandboxProcess exec(ProcessSpec process) {
        return exec(process, OutputListener.NONE);
    }

    public SandboxProcess exec(ProcessSpec process, OutputListener listener) {
        backend.requireCapability(Capability.EXEC, "exec");
        if (process.user() != null) {
            backend.requireCapability(Capability.RUN_AS_USER, "process.user");
        }
        requireState(State.RUNNING, "exec in");
        BoundedCapture out = new BoundedCapture(spec.outputLimitBytes(), listener::stdout);
        BoundedCapture err = new BoundedCapture(spec.outputLimitBytes(), listener::stderr);
        long t0 = System.nanoTime();
        ExecHandle exec = handle.exec(process, new ProcessIo(out, err));
        return new SandboxProcess(id, backend.id(), exec, out, err, System.nanoTime() - t0);
    }

    /** Sends a signal to the main process; a no-op once it has exited. */
    public void kill(int signal) {
        if (state == State.RUNNING) {
            main.kill(signal);
        }
    }

    /** Usage now. Needs {@link Capability#STATS}. */
    public SandboxStats stats() {
        backend.requireCapability(Capability.STATS, "stats");
        return handle.stats();
    }

    /** Freezes every process of the sandbox. Needs {@link Capability#PAUSE}. */
    public void pause() {
        backend.requireCapability(Capability.PAUSE, "pause");
        requireState(State.RUNNING, "pause");
        handle.pause();
    }

    public void resume() {
        backend.requireCapability(Capability.PAUSE, "resume");
        requireState(State.RUNNING, "resume");
        handle.resume();
    }

    /** Phases so far. */
    public Timings timings() {
        return result != null ? result.timings() : timings;
    }

    /** Kills whatever still runs and removes everything this sandbox created. Idempotent. */
    @Override
    public void close() {
        if (state == State.DESTROYED) {
            return;
        }
        try {
            if (state == State.RUNNING) {
                handle.killAll();
            }
            handle.destroy();
        } finally {
            state = State.DESTROYED;
            backend.released(lease, dir);
        }
    }

    private void requireState(State expected, String operation) {
        if (state != expected) {
            throw new IllegalStateException("cannot " + operation + " sandbox " + id + ": it is " + state
                    + ", expected " + expected);
        }
    }

    @Override
    public String toString() {
        return id + " [" + state + "]";
    }

}
