package io.isolab.backend.jail.transport;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchHostKeyException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UnixDomainSocketFactory;
import io.isolab.api.spi.OutputSink;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on a host over SSH with JSch: one session per transport, one {@code exec} channel per
 * command. The argv is quoted for the remote login shell ({@link ShellQuoting}), which must be a POSIX shell
 * ({@code /bin/sh}, as root's is on FreeBSD 14 and later).
 *
 * <p>Signals are sent with {@code kill -s NAME PID} over a second channel, not with SSH's {@code signal}
 * request: OpenSSH's sshd refuses that request for root's sessions ("session signalling requires privilege
 * separation": a root login has no unprivileged post-authentication child), and the jail bridge logs in as
 * root. So every command starts as {@code /bin/sh -c 'echo $$ >&2; exec "$@"'}: the shell reports its pid as
 * the first line of stderr, which this transport takes off the stream, then replaces itself with the command,
 * which keeps that pid, and whose exit status or terminating signal the SSH server then reports.
 *
 * <p>The host's key is always checked against the configured known_hosts file: an unknown or changed key
 * fails the connection with {@link HostKeyRejectedException}. Authentication is by public key only, from the
 * configured identity file or else from an ssh-agent.
 */
public final class SshTransport implements Transport {
    /**
     * Channels open at once: OpenSSH's sshd accepts {@code MaxSessions} (10 by default) per connection; a few
     * are left for control commands issued while workloads run.
     */
    private static final int MAX_CHANNELS = 8;
    /** Reports the shell's pid on stderr, then becomes the command (see the class comment). */
    private static final String PID_THEN_EXEC = "echo $$ >&2; exec \"$@\"";

    private final SshTarget target;
    private final Semaphore channels = new Semaphore(MAX_CHANNELS);
    private Session session;

    private SshTransport(SshTarget target, Session session) {
        this.target = target;
        this.session = session;
    }

    /**
     * Connects and authenticates.
     *
     * @throws HostKeyRejectedException when the host's key is not the one in known_hosts
     * @throws TransportException       when the host cannot be reached or refuses our keys
     */
    public static SshTransport connect(SshTarget target) {
        return new SshTransport(target, open(target));
    }

    @Override
    public String target() {
        return "ssh " + target;
    }

    @Override
    public CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
        List<String> args = Transport.checkArgv(argv);
        StreamPump.Capture out = new StreamPump.Capture();
        StreamPump.Capture err = new StreamPump.Capture();
        Remote remote = exec(args, stdin, out, err);
        try {
            Exit exit = remote.await(timeout);
            if (exit != null) {
                return new CommandResult(args, exit, out.bytes(), err.bytes(), false);
            }
            remote.signal("KILL");
            exit = remote.await(Duration.ofSeconds(5));
            // A command that cannot even be killed is abandoned with its channel; it counts as killed.
            return new CommandResult(args, exit != null ? exit : Exit.killed("KILL"), out.bytes(), err.bytes(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while running " + args.get(0) + " on " + target, e);
        } finally {
            remote.release();
        }
    }

    @Override
    public RemoteProcess start(List<String> argv, OutputSink stdout, OutputSink stderr) {
        return exec(Transport.checkArgv(argv), null, stdout, stderr);
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            session.disconnect();
            session = null;
        }
    }

    private Remote exec(List<String> argv, byte[] stdin, OutputSink stdout, OutputSink stderr) {
        try {
            channels.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while waiting for an SSH channel to " + target, e);
        }
        try {
            ChannelExec channel = (ChannelExec) session().openChannel("exec");
            List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", PID_THEN_EXEC, "isolab"));
            wrapped.addAll(argv);
            channel.setCommand(ShellQuoting.commandLine(wrapped).getBytes(StandardCharsets.UTF_8));
            channel.setInputStream(new ByteArrayInputStream(stdin == null ? new byte[0] : stdin));
            // Delivered by JSch's session thread as packets arrive, in order: all data before the channel closes.
            PidLine pid = new PidLine(stderr);
            channel.setOutputStream(new SinkStream(stdout), true);
            channel.setExtOutputStream(new SinkStream(pid), true);
            channel.connect((int) target.connectTimeout().toMillis());
            return new Remote(channel, argv, pid);
        } catch (JSchException e) {
            channels.release();
            throw new TransportException("cannot run " + argv.get(0) + " on " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            channels.release();
            throw e;
        }
    }

    private synchronized Session session() {
        if (session == null || !session.isConnected()) {
            session = open(target);
        }
        return session;
    }

    private static Session open(SshTarget target) {
        JSch jsch = new JSch();
        jsch.setInstanceLogger(new JschLog());
        try {
            jsch.setKnownHosts(target.knownHosts().toString());
            if (target.identity() != null) {
                useIdentity(jsch, target.identity());
            } else {
                useAgent(jsch, target.agentSocket());
            }
            Session session = jsch.getSession(target.user(), target.host(), target.port());
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", "publickey");
            session.setServerAliveInterval(15_000);
            session.setServerAliveCountMax(4);
            session.connect((int) target.connectTimeout().toMillis());
            return session;
        } catch (JSchUnknownHostKeyException e) {
            throw new HostKeyRejectedException("the host key of " + target.host() + " is not in "
                    + target.knownHosts() + " (check its fingerprint, then add it: ssh-keyscan -p " + target.port()
                    + " " + target.host() + " >> " + target.knownHosts() + ")", e);
        } catch (JSchChangedHostKeyException e) {
            throw new HostKeyRejectedException("the host key of " + target.host() + " differs from the one in "
                    + target.knownHosts() + ": refusing to connect (a re-installed host, or someone in between)", e);
        } catch (JSchHostKeyException e) {
            throw new HostKeyRejectedException("the host key of " + target.host() + " is refused: " + e.getMessage(), e);
        } catch (JSchException e) {
            throw new TransportException("cannot connect to " + target + ": " + describe(e), e);
        }
    }

    private static void useIdentity(JSch jsch, Path identity) throws JSchException {
        if (!Files.isReadable(identity)) {
            throw new TransportException("identity file " + identity + " does not exist or is not readable");
        }
        KeyPair key = KeyPair.load(jsch, identity.toString());
        boolean encrypted = key.isEncrypted();
        key.dispose();
        if (encrypted) {
            throw new TransportException("identity file " + identity + " is protected by a passphrase: add it to"
                    + " ssh-agent (ssh-add) and leave identity unset");
        }
        jsch.addIdentity(identity.toString());
    }

    private static void useAgent(JSch jsch, Path socket) {
        Path path = socket;
        if (path == null) {
            String env = System.getenv("SSH_AUTH_SOCK");
            if (env == null || env.isEmpty()) {
                throw new TransportException("no identity file configured and no ssh-agent (SSH_AUTH_SOCK is unset)");
            }
            path = Path.of(env);
        }
        try {
            jsch.setIdentityRepository(new AgentIdentityRepository(
                    new SSHAgentConnector(new UnixDomainSocketFactory(), path)));
        } catch (AgentProxyException e) {
            throw new TransportException("cannot use the ssh-agent at " + path + ": " + e.getMessage(), e);
        }
    }

    private static String describe(JSchException e) {
        Throwable cause = e.getCause();
        return cause != null && cause != e && cause.getMessage() != null
                ? e.getMessage() + " (" + cause.getMessage() + ")" : e.getMessage();
    }

    /** Forwards what JSch writes to a sink. */
    private static final class SinkStream extends OutputStream {
        private final OutputSink sink;

        SinkStream(OutputSink sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sink.write(b, off, len);
        }
    }

    /** Takes the pid line off the front of stderr and passes the rest on. */
    private static final class PidLine implements OutputSink {
        private final OutputSink rest;
        private final CountDownLatch known = new CountDownLatch(1);
        private final StringBuilder line = new StringBuilder();
        private volatile long pid = -1;

        PidLine(OutputSink rest) {
            this.rest = rest;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            int i = offset;
            int end = offset + length;
            while (known.getCount() > 0 && i < end) {
                char c = (char) buffer[i++];
                if (c == '\n') {
                    try {
                        pid = Long.parseLong(line.toString().strip());
                    } catch (NumberFormatException e) {
                        // Not our shell speaking (a login shell's complaint): it is stderr like the rest.
                        byte[] said = (line + "\n").getBytes(StandardCharsets.UTF_8);
                        rest.write(said, 0, said.length);
                    }
                    known.countDown();
                } else {
                    line.append(c);
                }
            }
            if (i < end) {
                rest.write(buffer, i, end - i);
            }
        }

        /** The pid, or -1 when the shell did not report it within {@code millis}. */
        long await(long millis) throws InterruptedException {
            known.await(millis, TimeUnit.MILLISECONDS);
            return pid;
        }
    }

    /** One exec channel. */
    private final class Remote implements RemoteProcess {
        private final ChannelExec channel;
        private final List<String> argv;
        private final PidLine pid;
        private boolean released;

        Remote(ChannelExec channel, List<String> argv, PidLine pid) {
            this.channel = channel;
            this.argv = argv;
            this.pid = pid;
        }

        @Override
        public Exit await(Duration timeout) throws InterruptedException {
            long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
            // JSch offers no close callback: poll, briefly at first (most commands end within milliseconds).
            for (int round = 0; !channel.isClosed(); round++) {
                if (System.nanoTime() - deadline >= 0) {
                    return null;
                }
                TimeUnit.MILLISECONDS.sleep(round < 100 ? 1 : 10);
            }
            String signal = channel.getExitSignal();
            int status = channel.getExitStatus();
            release();
            if (signal != null) {
                return Exit.killed(signal);
            }
            if (status < 0) {
                // JSch closes the channels of a session that broke: the command's fate is unknown.
                throw new TransportException(argv.get(0) + " on " + target + " ended without an exit status"
                        + " (connection lost?)");
            }
            return Exit.exited(status);
        }

        @Override
        public void signal(String name) {
            if (channel.isClosed()) {
                return;
            }
            if (Signals.number(name).isEmpty()) {
                throw new TransportException("unknown signal " + name);
            }
            long remotePid;
            try {
                remotePid = pid.await(target.connectTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("interrupted while signalling " + argv.get(0) + " on " + target, e);
            }
            if (remotePid <= 0) {
                throw new TransportException("cannot signal " + argv.get(0) + " on " + target + ": its pid never came");
            }
            CommandResult kill = run(List.of("kill", "-s", name, Long.toString(remotePid)), target.connectTimeout());
            if (!kill.success() && !channel.isClosed()) {
                throw new TransportException("cannot send SIG" + name + " to " + argv.get(0) + " (pid " + remotePid
                        + ") on " + target + ": " + kill.describe());
            }
        }

        @Override
        public boolean isAlive() {
            return !channel.isClosed();
        }

        synchronized void release() {
            if (!released) {
                released = true;
                channel.disconnect();
                channels.release();
            }
        }
    }
}
