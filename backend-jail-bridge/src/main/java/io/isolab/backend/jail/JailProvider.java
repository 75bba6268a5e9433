package io.isolab.backend.jail;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.Capability;
import io.isolab.api.IsolabException;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import io.isolab.backend.jail.transport.CommandResult;
import io.isolab.backend.jail.transport.HostKeyRejectedException;
import io.isolab.backend.jail.transport.Transport;
import io.isolab.backend.jail.transport.TransportException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.pf4j.Extension;

/**
 * The {@code jail} backend: FreeBSD jails (1999), driven through jail(8), jexec(8), jls(8) and rctl(8) on a
 * FreeBSD host, locally or over SSH.
 *
 * <p>Not declared, on purpose: pid isolation (a jail hides the host's processes, but its processes keep host
 * pids, so the workload is not pid 1), mount isolation (a jail shares the host's mount table; enforce_statfs=2
 * only hides it), user isolation (root in a jail is root, with fewer privileges), IPC, bind mounts, a read-only
 * root and pause.
 */
@Extension
public final class JailProvider implements BackendProvider<JailSettings> {
    public static final String ID = "jail";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    /** Arguments a careless quoting would mangle, echoed back to prove the login shell parses POSIX quoting. */
    private static final String QUOTING_PROBE = "it's $HOME `x`\n;|*";

    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor(ID, "FreeBSD jail(2), 1999",
            capabilities());

    private static Map<Capability, String> capabilities() {
        Map<Capability, String> c = new LinkedHashMap<>();
        c.put(Capability.FILESYSTEM_ROOT, "jail path= (chroot + jail_attach)");
        c.put(Capability.UTS_ISOLATION, "host.hostname");
        c.put(Capability.NETWORK_ISOLATION, "vnet=new, only lo0 up (kernel with VIMAGE)");
        c.put(Capability.HOST_NETWORK, "ip4=inherit ip6=inherit");
        c.put(Capability.MEMORY_LIMIT, "rctl memoryuse:deny + vmemoryuse:deny (kern.racct.enable=1)");
        c.put(Capability.CPU_LIMIT, "rctl pcpu:deny (kern.racct.enable=1)");
        c.put(Capability.PIDS_LIMIT, "rctl maxproc:deny (kern.racct.enable=1)");
        c.put(Capability.RUN_AS_USER, "jexec -U <user of the jail's passwd>");
        c.put(Capability.EXEC, "jexec into the running jail");
        c.put(Capability.STATS, "rctl -u jail:<name>, ps -J <name>");
        return c;
    }

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<JailSettings> settingsType() {
        return JailSettings.class;
    }

    @Override
    public Availability probe(BackendContext<JailSettings> context) {
        JailSettings settings = context.settings();
        if (settings.mode() == JailSettings.Mode.NONE) {
            return Availability.unavailable("no FreeBSD host configured (this machine runs "
                    + System.getProperty("os.name") + ")", "set backends.jail.host: root@<freebsd-host>, with identity"
                    + " (or ssh-agent) and known-hosts, in the config file; or run isolab on FreeBSD");
        }
        try (Transport transport = Transports.open(settings)) {
            return check(transport).withFacts(Map.of("host", transport.target()));
        } catch (HostKeyRejectedException e) {
            return Availability.unavailable(e.getMessage(), "check the host's key fingerprint, then add it to "
                    + settings.sshTarget().knownHosts());
        } catch (TransportException e) {
            return Availability.unavailable(e.getMessage(), "check host, port and user, and that the identity or"
                    + " ssh-agent key is in ~" + settings.user() + "/.ssh/authorized_keys on the host");
        }
    }

    @Override
    public BackendDriver open(BackendContext<JailSettings> context) {
        Transport transport;
        try {
            transport = Transports.open(context.settings());
        } catch (TransportException | IllegalStateException e) {
            throw new BackendUnavailableException(ID, Availability.unavailable(e.getMessage()));
        }
        try {
            return new JailDriver(context.settings(), transport, facts(transport));
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** Installs the probe in the rootfs on the host ({@link ProbeMode}). */
    @Override
    public Availability setup(BackendContext<JailSettings> context, Consumer<String> progress) {
        Availability availability = probe(context);
        if (!availability.available()) {
            return availability;
        }
        JailSettings settings = context.settings();
        try (Transport transport = Transports.open(settings)) {
            new ProbeInstaller(transport, settings.rootfs(), progress).install(settings.probeMode(), facts(transport));
        } catch (IsolabException e) {
            return Availability.unavailable(e.getMessage());
        }
        return probe(context);
    }

    private static Availability check(Transport transport) {
        CommandResult echo = transport.run(List.of("printf", "%s", QUOTING_PROBE), PROBE_TIMEOUT);
        if (!echo.success() || !echo.stdoutText().equals(QUOTING_PROBE)) {
            return Availability.unavailable("the login shell on " + transport.target() + " does not read POSIX sh"
                    + " quoting (" + echo.describe() + ")", "make the login's shell /bin/sh (chsh -s /bin/sh)");
        }
        HostFacts host;
        try {
            host = facts(transport);
        } catch (IsolabException e) {
            return Availability.unavailable(e.getMessage());
        }
        return host.problem(transport.target())
                .map(problem -> Availability.unavailable(problem, "a FreeBSD host, as root"))
                .orElseGet(() -> Availability.available(host.asFacts()));
    }

    private static HostFacts facts(Transport transport) {
        CommandResult facts = transport.run(JailCommands.hostFacts(), PROBE_TIMEOUT);
        if (!facts.success()) {
            throw new IsolabException("cannot inspect " + transport.target() + ": " + facts.describe());
        }
        return HostFacts.parse(facts.stdoutText());
    }
}
