package io.isolab.backend.chroot;

import io.isolab.api.Limits;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import io.isolab.launcher.Credentials;
import io.isolab.launcher.LaunchRequest;
import io.isolab.launcher.LaunchedProcess;
import io.isolab.launcher.RootSetup;
import io.isolab.launcher.Rlimit;
import java.io.UncheckedIOException;

/**
 * One chroot sandbox: nothing exists on the host until {@link #start}, which launches the workload in a
 * session of its own (chroot, user, rlimits, setsid, exec: in C, see the launcher) and records that
 * session in the sandbox's directory, so that {@link #killAll}, {@link #destroy} and a later {@code gc}
 * find every process it started.
 */
final class ChrootSandbox implements SandboxHandle {
    private static final int SIGKILL = 9;

    private final ChrootDriver driver;
    private final SandboxSpec spec;
    private final SandboxContext context;
    private final Credentials credentials;
    private LaunchedProcess main;
    private SessionRecord session;

    ChrootSandbox(ChrootDriver driver, SandboxSpec spec, SandboxContext context, Credentials credentials) {
        this.driver = driver;
        this.spec = spec;
        this.context = context;
        this.credentials = credentials;
    }

    @Override
    public ExecHandle start(ProcessIo io) {
        LaunchRequest.Builder request = LaunchRequest.builder(spec.process().argv())
                .env(spec.process().env())
                .cwd(spec.process().cwd())
                .credentials(credentials)
                .root(RootSetup.chroot(spec.rootfs()))
                .newSession(true);
        rlimits(spec.limits(), driver.settings()).forEach(request::rlimit);
        main = driver.launcher().launch(request.build(), io);
        session = new SessionRecord(main.pid(), main.startTime(), driver.bootId());
        try {
            session.write(context.dir());
        } catch (UncheckedIOException e) {
            driver.killSession(session);
            throw new SandboxStartException("session record", e.getMessage(), e);
        }
        return main;
    }

    /** The era's resource control, all per process or per user, set in the child before exec. */
    static java.util.List<Rlimit> rlimits(Limits limits, ChrootSettings settings) {
        java.util.List<Rlimit> list = new java.util.ArrayList<>();
        if (limits.memoryBytes() != null) {
            list.add(Rlimit.of(Rlimit.Resource.AS, limits.memoryBytes()));
        }
        if (limits.maxPids() != null) {
            list.add(Rlimit.of(Rlimit.Resource.NPROC, limits.maxPids()));
        }
        if (limits.timeout() != null) {
            // A backstop, not the timeout: CPU seconds cannot outrun wall seconds times the cores, so this
            // never fires first; it ends a spinning workload whose owner died before its timeout.
            long seconds = (limits.timeout().toMillis() + 999) / 1000;
            list.add(Rlimit.of(Rlimit.Resource.CPU, seconds * Runtime.getRuntime().availableProcessors() + 1));
        }
        list.add(Rlimit.of(Rlimit.Resource.NOFILE, settings.openFiles()));
        if (!settings.coreDumps()) {
            list.add(Rlimit.of(Rlimit.Resource.CORE, 0));
        }
        return list;
    }

    @Override
    public void killAll() {
        if (main != null) {
            main.kill(SIGKILL);
            driver.killSession(session);
        }
    }

    @Override
    public void destroy() {
        if (session != null) {
            driver.killSession(session); // what the workload left running, even after it exited itself
        }
    }

    @Override
    public String backendId() {
        return ChrootDriver.ID;
    }
}
