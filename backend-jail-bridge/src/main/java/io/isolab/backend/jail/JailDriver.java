package io.isolab.backend.jail;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.IsolabException;
import io.isolab.api.NetworkMode;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import io.isolab.backend.jail.parse.JailEntry;
import io.isolab.backend.jail.parse.JlsParser;
import io.isolab.backend.jail.parse.PasswdEntry;
import io.isolab.backend.jail.parse.RctlParser;
import io.isolab.backend.jail.parse.RctlRule;
import io.isolab.backend.jail.transport.CommandResult;
import io.isolab.backend.jail.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The jail backend opened on one FreeBSD host. */
final class JailDriver implements BackendDriver {
    /** Every jail and rule of this backend is named with its sandbox id, {@code isolab-jail-<hex>}. */
    static final String PREFIX = "isolab-" + JailProvider.ID + "-";
    /** Control commands are quick; jail -r may wait stop.timeout (10 s) for processes to end on SIGTERM. */
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern UID_GID = Pattern.compile("(\\d+)(?::(\\d+))?");

    private final JailSettings settings;
    private final Transport transport;
    private final HostFacts host;

    JailDriver(JailSettings settings, Transport transport, HostFacts host) {
        this.settings = settings;
        this.transport = transport;
        this.host = host;
    }

    /** The rootfs prepared on the FreeBSD host (backends.jail.rootfs). */
    @Override
    public java.util.Optional<Path> workloadRootfs() {
        return java.util.Optional.of(Path.of(settings.rootfs()));
    }

    @Override
    public void validate(SandboxSpec spec) {
        String rootfs = spec.rootfs().toString();
        if (!run(JailCommands.isDirectory(rootfs)).success()) {
            throw new InvalidSpecException("rootfs", rootfs + " is not a directory on " + where()
                    + " (prepare it from base.txz: see backend-jail-bridge/README.md)");
        }
        if (spec.process().argv().get(0).contains("=")) {
            throw new InvalidSpecException("process.argv", "the jail bridge runs the command through env(1), which"
                    + " would take '" + spec.process().argv().get(0) + "' for a variable");
        }
        jailUser(spec.rootfs(), spec.process().user());
        List<String> limited = new ArrayList<>();
        if (spec.limits().memoryBytes() != null) {
            limited.add("limits.memory");
        }
        if (spec.limits().cpus() != null) {
            limited.add("limits.cpus");
        }
        if (spec.limits().maxPids() != null) {
            limited.add("limits.pids");
        }
        if (!limited.isEmpty() && !host.racctEnabled()) {
            throw new InvalidSpecException(limited.get(0), "needs rctl, and RACCT is "
                    + (host.racct() == null ? "not in the kernel" : "disabled") + " on " + where()
                    + " (set kern.racct.enable=1 in /boot/loader.conf and reboot)");
        }
        if (spec.network() == NetworkMode.NONE && !host.vimage()) {
            throw new InvalidSpecException("network", "none needs a vnet jail, and the kernel of " + where()
                    + " lacks VIMAGE");
        }
    }

    @Override
    public SandboxHandle create(SandboxSpec spec, SandboxContext context) {
        return JailSandbox.create(this, spec, context);
    }

    /** The isolab jails running on the host, and the rctl rules of isolab jails (they outlive their jail). */
    @Override
    public List<HostResource> inventory() {
        List<HostResource> found = new ArrayList<>();
        CommandResult jls = run(JailCommands.list());
        if (!jls.success()) {
            throw new IsolabException("cannot list the jails of " + where() + ": " + jls.describe());
        }
        for (JailEntry jail : JlsParser.entries(jls.stdoutText())) {
            if (jail.name().startsWith(PREFIX)) {
                found.add(new HostResource("jail", jail.name(), jail.name()));
            }
        }
        if (host.racctEnabled()) {
            CommandResult rules = run(JailCommands.rctlRules());
            if (!rules.success()) {
                throw new IsolabException("cannot list the rctl rules of " + where() + ": " + rules.describe());
            }
            for (RctlRule rule : RctlParser.rules(rules.stdoutText())) {
                if (rule.subject().equals("jail") && rule.subjectId().startsWith(PREFIX)) {
                    found.add(new HostResource("rctl", rule.text(), rule.subjectId()));
                }
            }
        }
        return found;
    }

    @Override
    public void reclaim(HostResource resource) {
        switch (resource.kind()) {
            case "jail" -> removeJail(resource.name());
            case "rctl" -> removeRule(resource.name());
            default -> throw new IllegalArgumentException("not a jail backend resource: " + resource);
        }
    }

    @Override
    public Map<String, String> facts() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("host", transport.target());
        facts.putAll(host.asFacts());
        return facts;
    }

    @Override
    public void close() {
        transport.close();
    }

    JailSettings settings() {
        return settings;
    }

    HostFacts host() {
        return host;
    }

    Transport transport() {
        return transport;
    }

    String where() {
        return transport.target();
    }

    CommandResult run(List<String> argv) {
        return transport.run(argv, CONTROL_TIMEOUT);
    }

    void runOrFail(String step, List<String> argv) {
        CommandResult result = run(argv);
        if (!result.success()) {
            throw new SandboxStartException(step, SandboxStartException.Kind.SETUP, result.describe());
        }
    }

    /** {@code jail -r}; a jail that is already gone is fine. */
    void removeJail(String name) {
        CommandResult result = run(JailCommands.remove(name));
        if (!result.success() && !result.stderrText().contains("not found")) {
            throw new IsolabException("cannot remove jail " + name + " on " + where() + ": " + result.describe());
        }
    }

    /** Removes every rctl rule of a jail; none left is fine (rctl says ESRCH, "No such process"). */
    void removeRules(String name) {
        CommandResult result = run(JailCommands.rctlRemoveAll(name));
        if (!result.success() && !result.stderrText().contains("No such process")) {
            throw new IsolabException("cannot remove the rctl rules of " + name + " on " + where() + ": "
                    + result.describe());
        }
    }

    private void removeRule(String rule) {
        CommandResult result = run(JailCommands.rctlRemove(rule));
        if (!result.success() && !result.stderrText().contains("No such process")) {
            throw new IsolabException("cannot remove rctl rule " + rule + " on " + where() + ": " + result.describe());
        }
    }

    /**
     * The name jexec -U takes for {@code user} (a name, or uid[:gid]) in the jail's passwd, or {@code null} for
     * root, the default.
     *
     * @throws InvalidSpecException naming {@code process.user} when the jail has no such user
     */
    String jailUser(Path rootfs, String user) {
        if (user == null) {
            return null;
        }
        String passwdFile = rootfs + "/etc/passwd";
        CommandResult passwd = run(JailCommands.read(passwdFile));
        if (!passwd.success()) {
            throw new InvalidSpecException("process.user", "cannot read " + passwdFile + " on " + where() + ": "
                    + passwd.describe());
        }
        List<PasswdEntry> users = PasswdEntry.parse(passwd.stdoutText());
        Matcher numeric = UID_GID.matcher(user);
        Optional<PasswdEntry> entry = numeric.matches()
                ? users.stream().filter(u -> u.uid() == Integer.parseInt(numeric.group(1))).findFirst()
                : users.stream().filter(u -> u.name().equals(user)).findFirst();
        if (entry.isEmpty()) {
            throw new InvalidSpecException("process.user", "no user '" + user + "' in " + passwdFile + " on " + where()
                    + " (jexec -U takes users of the jail's passwd)");
        }
        if (numeric.matches() && numeric.group(2) != null && Integer.parseInt(numeric.group(2)) != entry.get().gid()) {
            throw new InvalidSpecException("process.user", "jexec -U runs " + entry.get().name() + " with its own group "
                    + entry.get().gid() + ", not " + numeric.group(2));
        }
        return entry.get().name();
    }
}
