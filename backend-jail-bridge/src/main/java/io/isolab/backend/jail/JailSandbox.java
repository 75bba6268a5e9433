package io.isolab.backend.jail;

import io.isolab.api.IsolabException;
import io.isolab.api.NetworkMode;
import io.isolab.api.ProcessSpec;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.SandboxStats;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import io.isolab.backend.jail.parse.PsParser;
import io.isolab.backend.jail.parse.RctlParser;
import io.isolab.backend.jail.transport.CommandResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One jail, named with the sandbox id: created persistent (so it outlives its processes until removed),
 * bounded by rctl rules, entered with jexec, removed with {@code jail -r}.
 */
final class JailSandbox implements SandboxHandle {
    private static final Logger LOG = LoggerFactory.getLogger(JailSandbox.class);
    /** execvp's default search path on FreeBSD ({@code _PATH_DEFPATH}) when the spec gives no PATH. */
    private static final String DEFAULT_PATH = "/bin:/usr/bin";
    /** How long a process of a removed jail may take to report its end before destroy moves on. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(15);

    private final JailDriver driver;
    private final String name;
    private final SandboxSpec spec;
    private final List<JailProcess> processes = new CopyOnWriteArrayList<>();
    private volatile boolean removed;
    private volatile boolean destroyed;

    private JailSandbox(JailDriver driver, String name, SandboxSpec spec) {
        this.driver = driver;
        this.name = name;
        this.spec = spec;
    }

    /** Creates the jail and its rules; on failure removes whatever was created. */
    static JailSandbox create(JailDriver driver, SandboxSpec spec, SandboxContext context) {
        String name = context.sandboxId();
        JailSandbox sandbox = new JailSandbox(driver, name, spec);
        try {
            String hostname = spec.hostname() != null ? spec.hostname() : name;
            driver.runOrFail("jail -c", JailCommands.create(name, spec.rootfs().toString(), hostname, spec.network(),
                    driver.host(), driver.settings().parameterArguments()));
            if (spec.network() == NetworkMode.NONE) {
                driver.runOrFail("loopback", JailCommands.loopbackUp(name));
            }
            for (List<String> rule : JailCommands.limits(name, spec.limits())) {
                driver.runOrFail("rctl -a", rule);
            }
            return sandbox;
        } catch (RuntimeException e) {
            try {
                sandbox.destroy();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public ExecHandle start(ProcessIo io) {
        return launch(spec.process(), io);
    }

    @Override
    public ExecHandle exec(ProcessSpec process, ProcessIo io) {
        if (removed) {
            throw new IsolabException("jail " + name + " was removed: nothing more can run in it");
        }
        return launch(process, io);
    }

    /** Removes the jail: the kernel kills its processes (jail(8) first sends SIGTERM, then waits stop.timeout). */
    @Override
    public void killAll() {
        removeJail();
    }

    @Override
    public SandboxStats stats() {
        if (!driver.host().racctEnabled()) {
            throw new IsolabException("no usage for jail " + name + ": RACCT is disabled on " + driver.where()
                    + " (set kern.racct.enable=1 in /boot/loader.conf and reboot)");
        }
        CommandResult usage = driver.run(JailCommands.usage(name));
        if (!usage.success()) {
            throw new IsolabException("rctl -u for jail " + name + " failed: " + usage.describe());
        }
        Map<String, Long> used = RctlParser.usage(usage.stdoutText());
        CommandResult ps = driver.run(JailCommands.cpuTimes(name));
        // ps exits 1 when the jail has no process left; then rctl's whole seconds are all there is.
        long psNanos = ps.success() ? PsParser.cpuNanos(ps.stdoutText()) : 0;
        long rctlNanos = used.getOrDefault("cputime", 0L) * 1_000_000_000L;
        Map<String, Long> extra = new TreeMap<>();
        for (String resource : List.of("vmemoryuse", "nthr", "openfiles", "wallclock", "pcpu", "swapuse")) {
            Long value = used.get(resource);
            if (value != null) {
                extra.put(resource, value);
            }
        }
        return new SandboxStats(Math.max(psNanos, rctlNanos), used.get("memoryuse"), null, used.get("maxproc"), null,
                0L, extra);
    }

    @Override
    public void destroy() {
        if (destroyed) {
            return;
        }
        removeJail();
        for (JailProcess process : processes) {
            try {
                process.awaitExit(EXIT_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.debug("{}: a process ended badly while its jail was removed: {}", name, e.getMessage());
            }
        }
        if (!JailCommands.limits(name, spec.limits()).isEmpty()) {
            driver.removeRules(name);
        }
        destroyed = true;
    }

    @Override
    public String backendId() {
        return JailProvider.ID;
    }

    private ExecHandle launch(ProcessSpec process, ProcessIo io) {
        String user = driver.jailUser(spec.rootfs(), process.user());
        String command = process.argv().get(0);
        String path = process.env().getOrDefault("PATH", DEFAULT_PATH);
        CommandResult check = driver.run(JailCommands.check(name, user, process.cwd(), path, command));
        if (!check.success()) {
            throw checkFailure(check, process, command);
        }
        JailProcess started = JailProcess.start(driver.transport(),
                JailCommands.exec(name, user, process.cwd(), process.env(), process.argv()), io);
        processes.add(started);
        return started;
    }

    private SandboxStartException checkFailure(CommandResult check, ProcessSpec process, String command) {
        int code = check.exit().signaled() ? -1 : check.exit().code();
        return switch (code) {
            case JailCommands.CHECK_NO_CWD -> new SandboxStartException("chdir", SandboxStartException.Kind.SETUP,
                    "working directory " + process.cwd() + " does not exist in jail " + name);
            case JailCommands.CHECK_NOT_FOUND -> new SandboxStartException("exec",
                    SandboxStartException.Kind.COMMAND_NOT_FOUND, command + ": command not found in jail " + name);
            case JailCommands.CHECK_NOT_EXECUTABLE -> new SandboxStartException("exec",
                    SandboxStartException.Kind.NOT_EXECUTABLE, command + ": not an executable file in jail " + name);
            default -> new SandboxStartException("jexec", SandboxStartException.Kind.SETUP, check.describe());
        };
    }

    private void removeJail() {
        if (removed) {
            return;
        }
        driver.removeJail(name);
        removed = true;
    }
}
