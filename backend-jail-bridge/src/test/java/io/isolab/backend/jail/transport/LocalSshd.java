package io.isolab.backend.jail.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real OpenSSH sshd on a free loopback port, for testing the SSH transport: a throw-away host key and user
 * key in a temporary {@code isolab-sshd-*} directory, its own sshd_config, and a known_hosts file that holds
 * exactly its host key. {@link #close()} stops it by its pid and removes the directory.
 *
 * <p>The remote "host" is this Linux machine running ordinary commands (printf, sh): an honest test of the
 * transport, not of jails.
 */
public final class LocalSshd implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    public final Path dir;
    public final int port;
    public final Path userKey;
    public final Path knownHosts;
    private final Process sshd;
    private final List<String> log = new ArrayList<>();

    private LocalSshd(Path dir, int port, Process sshd) {
        this.dir = dir;
        this.port = port;
        this.sshd = sshd;
        this.userKey = dir.resolve("user_key");
        this.knownHosts = dir.resolve("known_hosts");
    }

    public static LocalSshd start() throws IOException, InterruptedException {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException(SSHD + " is missing: install Debian's openssh-server (apt-get install"
                    + " openssh-server); the SSH transport tests run against a real sshd");
        }
        Path dir = Files.createTempDirectory("isolab-sshd-");
        try {
            keygen(dir.resolve("host_key"));
            keygen(dir.resolve("user_key"));
            Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
            // sshd refuses to start without its privilege separation directory, which Debian creates only when
            // the service is started by the init system.
            if (isRoot()) {
                Files.createDirectories(Path.of("/run/sshd"));
            }
            int port = freePort();
            Path config = dir.resolve("sshd_config");
            Files.writeString(config, String.join("\n",
                    "Port " + port,
                    "ListenAddress 127.0.0.1",
                    "HostKey " + dir.resolve("host_key"),
                    "PidFile " + dir.resolve("sshd.pid"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "PermitRootLogin prohibit-password",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "PrintMotd no",
                    "LogLevel INFO",
                    ""));
            Process sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true).start();
            LocalSshd server = new LocalSshd(dir, port, sshd);
            server.awaitListening();
            String hostKey = Files.readString(dir.resolve("host_key.pub")).strip();
            String[] typeAndKey = hostKey.split(" ");
            Files.writeString(server.knownHosts, "[127.0.0.1]:" + port + " " + typeAndKey[0] + " " + typeAndKey[1] + "\n");
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    public SshTarget target() {
        return target(userKey, knownHosts);
    }

    SshTarget target(Path identity, Path knownHostsFile) {
        return new SshTarget("127.0.0.1", port, System.getProperty("user.name"), identity, null, knownHostsFile,
                Duration.ofSeconds(10));
    }

    public long pid() {
        return sshd.pid();
    }

    String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** Stops sshd by its pid and removes the directory. */
    @Override
    public void close() {
        sshd.destroy();
        try {
            if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
                sshd.waitFor();
            }
        } catch (InterruptedException e) {
            sshd.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    public boolean isAlive() {
        return sshd.isAlive();
    }

    private void awaitListening() throws InterruptedException {
        BufferedReader out = new BufferedReader(new InputStreamReader(sshd.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> listening = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (log) {
                        log.add(line);
                    }
                    if (line.startsWith("Server listening on")) {
                        listening.complete(true);
                    }
                }
            } catch (IOException e) {
                // sshd is gone
            }
            listening.complete(false);
        }, "isolab-sshd-log");
        drain.setDaemon(true);
        drain.start();
        boolean up;
        try {
            up = listening.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            up = false;
        }
        if (!up) {
            sshd.destroyForcibly();
            sshd.waitFor();
            throw new IllegalStateException("sshd did not start listening:\n" + log());
        }
    }

    private static void keygen(Path key) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "isolab-test",
                "-f", key.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
