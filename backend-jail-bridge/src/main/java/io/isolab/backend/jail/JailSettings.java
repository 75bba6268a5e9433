package io.isolab.backend.jail;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.Units;
import io.isolab.backend.jail.param.JailParameters;
import io.isolab.backend.jail.transport.SshTarget;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Settings of the {@code jail} backend: section {@code backends.jail} of the config, e.g.
 *
 * <pre>
 * backends:
 *   jail:
 *     host: root@bsd.example.org      # or "local" when isolab itself runs on the FreeBSD host
 *     identity: ~/.ssh/id_ed25519     # absent: the keys of ssh-agent ($SSH_AUTH_SOCK)
 *     known-hosts: ~/.ssh/known_hosts
 *     rootfs: /usr/local/isolab/rootfs
 *     probe: source                   # source | linux | none
 *     parameters: {allow.raw_sockets: true, devfs_ruleset: 4}
 * </pre>
 *
 * @param host           the FreeBSD host, {@code [user@]host}, or {@code local}; absent means local on FreeBSD
 *                       and no host elsewhere
 * @param user           SSH login, {@code root} by default (jail(8) needs root)
 * @param port           SSH port, 22 by default
 * @param identity       private key file; absent: ssh-agent
 * @param agentSocket    ssh-agent socket; absent: {@code $SSH_AUTH_SOCK}
 * @param knownHosts     known_hosts file the host key is checked against, {@code ~/.ssh/known_hosts} by default
 * @param connectTimeout e.g. {@code 10s}
 * @param rootfs         the workload root filesystem on the host, {@code /usr/local/isolab/rootfs} by default
 * @param probe          how the probe gets into the rootfs: {@code source} (default), {@code linux}, {@code none}
 * @param parameters     more jail parameters for every jail, checked against FreeBSD's table
 */
public record JailSettings(
        String host,
        String user,
        Integer port,
        String identity,
        String agentSocket,
        String knownHosts,
        String connectTimeout,
        String rootfs,
        String probe,
        Map<String, String> parameters) {

    public static final String LOCAL = "local";
    private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.:\\[\\]-]+");

    public JailSettings {
        if (host != null) {
            host = host.strip();
            int at = host.lastIndexOf('@');
            if (at >= 0) {
                String fromHost = host.substring(0, at);
                if (user != null && !user.equals(fromHost)) {
                    throw new InvalidSpecException("host", "names user '" + fromHost + "' but user is '" + user + "'");
                }
                user = fromHost;
                host = host.substring(at + 1);
            }
            if (host.isEmpty() || !HOST.matcher(host).matches()) {
                throw new InvalidSpecException("host", "must be a host name or address, or 'local' (got '" + host + "')");
            }
        }
        user = user == null ? "root" : user;
        if (!USER.matcher(user).matches()) {
            throw new InvalidSpecException("user", "must be a login name (got '" + user + "')");
        }
        port = port == null ? 22 : port;
        if (port < 1 || port > 65535) {
            throw new InvalidSpecException("port", "must be 1-65535 (got " + port + ")");
        }
        knownHosts = knownHosts == null ? "~/.ssh/known_hosts" : knownHosts;
        connectTimeout = connectTimeout == null ? "10s" : connectTimeout;
        try {
            if (Units.parseDuration(connectTimeout).isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("connect-timeout", e.getMessage());
        }
        rootfs = rootfs == null ? "/usr/local/isolab/rootfs" : rootfs;
        if (!rootfs.startsWith("/")) {
            throw new InvalidSpecException("rootfs", "must be an absolute path on the host (got '" + rootfs + "')");
        }
        probe = probe == null ? ProbeMode.SOURCE.key() : probe;
        try {
            ProbeMode.fromKey(probe);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("probe", e.getMessage());
        }
        Map<String, String> checked = new TreeMap<>();
        if (parameters != null) {
            parameters.forEach((name, value) -> {
                JailParameters.freebsd().userArgument("parameters." + name, name, value == null ? "" : value);
                checked.put(name, value == null ? "" : value);
            });
        }
        parameters = Collections.unmodifiableMap(checked);
    }

    /** Where commands run. */
    public enum Mode { LOCAL, SSH, NONE }

    public Mode mode() {
        if (host == null) {
            return isFreeBsd() ? Mode.LOCAL : Mode.NONE;
        }
        return host.equals(LOCAL) ? Mode.LOCAL : Mode.SSH;
    }

    public ProbeMode probeMode() {
        return ProbeMode.fromKey(probe);
    }

    public SshTarget sshTarget() {
        return new SshTarget(host, port, user, identity == null ? null : expand(identity),
                agentSocket == null ? null : expand(agentSocket), expand(knownHosts), Units.parseDuration(connectTimeout));
    }

    /** The extra parameters as jail(8) arguments. */
    public List<String> parameterArguments() {
        return parameters.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    static boolean isFreeBsd() {
        return System.getProperty("os.name", "").equalsIgnoreCase("FreeBSD");
    }

    private static Path expand(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), path.substring(1).replaceFirst("^/", ""));
        }
        return Path.of(path);
    }
}
