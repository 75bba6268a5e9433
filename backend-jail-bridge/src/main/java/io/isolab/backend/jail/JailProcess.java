package io.isolab.backend.jail;

import io.isolab.api.ExitStatus;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import io.isolab.backend.jail.transport.Exit;
import io.isolab.backend.jail.transport.RemoteProcess;
import io.isolab.backend.jail.transport.Signals;
import io.isolab.backend.jail.transport.Transport;
import io.isolab.backend.jail.transport.TransportException;
import java.time.Duration;
import java.util.List;

/** A process running in a jail: the jexec(8) command started through the transport. */
final class JailProcess implements ExecHandle {
    private final RemoteProcess remote;
    private final StartFailureWatch watch;
    private volatile ProcessExit exit;

    private JailProcess(RemoteProcess remote, StartFailureWatch watch) {
        this.remote = remote;
        this.watch = watch;
    }

    static JailProcess start(Transport transport, List<String> argv, ProcessIo io) {
        StartFailureWatch watch = new StartFailureWatch(io.stderr());
        return new JailProcess(transport.start(argv, io.stdout(), watch), watch);
    }

    /**
     * @throws io.isolab.api.SandboxStartException when jexec or env, not the workload, failed
     */
    @Override
    public ProcessExit awaitExit(Duration timeout) throws InterruptedException {
        if (exit != null) {
            return exit;
        }
        Exit ended = remote.await(timeout);
        if (ended == null) {
            return null;
        }
        var failure = watch.failure(ended);
        if (failure.isPresent()) {
            throw failure.get();
        }
        watch.flush();
        exit = ProcessExit.of(status(ended));
        return exit;
    }

    @Override
    public void kill(int signal) {
        String name = Signals.name(signal).orElseThrow(() ->
                new IllegalArgumentException("FreeBSD has no signal " + signal));
        remote.signal(name);
    }

    boolean isAlive() {
        return remote.isAlive();
    }

    static ExitStatus status(Exit exit) {
        if (!exit.signaled()) {
            return ExitStatus.exited(exit.code());
        }
        return ExitStatus.killed(Signals.number(exit.signal()).orElseThrow(() ->
                new TransportException("killed by a signal FreeBSD does not know: " + exit.signal())));
    }
}
