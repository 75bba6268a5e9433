package io.isolab.backend.jail.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach the FreeBSD host over SSH.
 *
 * @param host           host name or address
 * @param port           TCP port
 * @param user           login name; jail(8) needs root there
 * @param identity       private key file (OpenSSH or PEM format, without passphrase), or {@code null} to
 *                       authenticate with the keys of an ssh-agent
 * @param agentSocket    the agent's socket, or {@code null} for {@code $SSH_AUTH_SOCK}
 * @param knownHosts     the known_hosts file the host's key is checked against; an unknown or changed key is
 *                       refused, as OpenSSH does with {@code StrictHostKeyChecking yes}
 * @param connectTimeout how long connecting may take
 */
public record SshTarget(String host, int port, String user, Path identity, Path agentSocket, Path knownHosts,
                        Duration connectTimeout) {

    public SshTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port;
    }
}
