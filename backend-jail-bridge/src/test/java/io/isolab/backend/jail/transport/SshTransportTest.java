package io.isolab.backend.jail.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The SSH transport against a real OpenSSH sshd on this machine (see {@link LocalSshd}). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshTransportTest {
    private static final Duration T = Duration.ofSeconds(20);

    private LocalSshd sshd;
    private SshTransport ssh;

    @BeforeAll
    void startSshd() throws Exception {
        sshd = LocalSshd.start();
        ssh = SshTransport.connect(sshd.target());
    }

    @AfterAll
    void stopSshd() throws Exception {
        if (ssh != null) {
            ssh.close();
        }
        if (sshd != null) {
            sshd.close();
            assertFalse(sshd.isAlive(), "sshd " + sshd.pid() + " still runs");
            assertFalse(Files.exists(sshd.dir), sshd.dir + " left behind");
        }
    }

    @Test
    void hostileArgumentsArriveExactlyAsGiven() {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\n"));
        argv.addAll(HostileArguments.ALL);
        CommandResult r = ssh.run(argv, T);
        assertEquals(Exit.exited(0), r.exit(), r::describe);
        assertEquals(HostileArguments.printed(), r.stdoutText());
    }

    @Test
    void eachHostileArgumentIsOneArgument() {
        for (String arg : HostileArguments.ALL) {
            CommandResult r = ssh.run(List.of("sh", "-c", "printf '%s' \"$#\"", "sh", arg), T);
            assertEquals("1", r.stdoutText(), () -> "split or lost: [" + arg + "] " + r.describe());
        }
    }

    @Test
    void passesTheExitCodeThrough() {
        CommandResult r = ssh.run(List.of("sh", "-c", "exit 7"), T);
        assertEquals(Exit.exited(7), r.exit());
        assertFalse(r.success());
        assertEquals(Exit.exited(0), ssh.run(List.of("true"), T).exit());
        assertEquals(Exit.exited(1), ssh.run(List.of("false"), T).exit());
    }

    @Test
    void keepsStdoutAndStderrApart() {
        CommandResult r = ssh.run(List.of("sh", "-c", "printf out; printf err >&2; printf more"), T);
        assertEquals("outmore", r.stdoutText());
        assertEquals("err", r.stderrText());
    }

    @Test
    void reportsTheSignalThatKilledTheCommand() {
        CommandResult r = ssh.run(List.of("sh", "-c", "kill -SEGV $$"), T);
        assertEquals(Exit.killed("SEGV"), r.exit(), r::describe);
        assertEquals(11, Signals.number(r.exit().signal()).orElseThrow());
    }

    @Test
    void killsACommandThatOutlivesItsTimeout() {
        long t0 = System.nanoTime();
        CommandResult r = ssh.run(List.of("sleep", "30"), Duration.ofSeconds(1));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(r.timedOut(), r::describe);
        assertEquals(Exit.killed("KILL"), r.exit(), r::describe);
        assertTrue(seconds < 10, "took " + seconds + " s");
        assertEquals("", ssh.run(List.of("sh", "-c", "pgrep -x -f 'sleep 30' || true"), T).stdoutText(),
                "the timed-out sleep still runs on the host");
    }

    @Test
    void signalsAStartedCommand() throws Exception {
        CollectingSink out = new CollectingSink();
        RemoteProcess p = ssh.start(List.of("sh", "-c", "echo started; exec sleep 30"), out, new CollectingSink());
        for (int i = 0; i < 200 && !out.text().contains("started"); i++) {
            Thread.sleep(10);
        }
        assertTrue(p.isAlive());
        p.signal("TERM");
        Exit exit = p.await(Duration.ofSeconds(10));
        assertEquals(Exit.killed("TERM"), exit);
        assertFalse(p.isAlive());
        assertEquals("started\n", out.text());
    }

    @Test
    void refusesAnUnknownSignal() {
        RemoteProcess p = ssh.start(List.of("sleep", "30"), new CollectingSink(), new CollectingSink());
        try {
            TransportException e = assertThrows(TransportException.class, () -> p.signal("NOSUCH"));
            assertTrue(e.getMessage().contains("NOSUCH"), e.getMessage());
        } finally {
            p.signal("KILL");
        }
    }

    @Test
    void leavesTheCommandsOwnStderrWhole() {
        CommandResult r = ssh.run(List.of("sh", "-c", "echo 123 >&2; echo second >&2"), T);
        assertEquals("123\nsecond\n", r.stderrText());
    }

    @Test
    void streamsOutputOfAStartedCommandAndDeliversAllOfItBeforeTheExit() throws Exception {
        CollectingSink out = new CollectingSink();
        CollectingSink err = new CollectingSink();
        RemoteProcess p = ssh.start(List.of("sh", "-c", "head -c 3000000 /dev/zero; echo done >&2; exit 3"), out, err);
        assertEquals(Exit.exited(3), p.await(null));
        assertEquals(3_000_000, out.bytes().length);
        assertEquals("done\n", err.text());
    }

    @Test
    void feedsStandardInput() throws Exception {
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        assertArrayEquals(data, ssh.run(List.of("cat"), data, T).stdout());
        Path file = sshd.dir.resolve("copied it's $here");
        CommandResult r = ssh.run(List.of("sh", "-c", "cat > \"$1\"", "sh", file.toString()), data, T);
        assertTrue(r.success(), r::describe);
        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals("", ssh.run(List.of("cat"), T).stdoutText(), "stdin is at end of file without input");
    }

    @Test
    void runsManyCommandsAtOnce() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                CommandResult r = ssh.run(List.of("sh", "-c", "sleep 0.2; echo " + n), T);
                if (!r.stdoutText().equals(n + "\n")) {
                    failures.add(r.describe());
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void rejectsAnUnknownHostKeyByDefault() throws Exception {
        Path empty = Files.createFile(sshd.dir.resolve("empty_known_hosts"));
        HostKeyRejectedException e = assertThrows(HostKeyRejectedException.class,
                () -> SshTransport.connect(sshd.target(sshd.userKey, empty)));
        assertTrue(e.getMessage().contains("not in " + empty), e.getMessage());
        Path missing = sshd.dir.resolve("no_such_known_hosts");
        assertThrows(HostKeyRejectedException.class, () -> SshTransport.connect(sshd.target(sshd.userKey, missing)));
    }

    @Test
    void rejectsAChangedHostKey() throws Exception {
        String otherKey = Files.readString(sshd.dir.resolve("user_key.pub")).strip().split(" ")[1];
        Path wrong = sshd.dir.resolve("wrong_known_hosts");
        Files.writeString(wrong, "[127.0.0.1]:" + sshd.port + " ssh-ed25519 " + otherKey + "\n");
        HostKeyRejectedException e = assertThrows(HostKeyRejectedException.class,
                () -> SshTransport.connect(sshd.target(sshd.userKey, wrong)));
        assertTrue(e.getMessage().contains("differs"), e.getMessage());
    }

    @Test
    void refusesAKeyTheHostDoesNotKnow() throws Exception {
        Path stranger = sshd.dir.resolve("stranger_key");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, keygen.waitFor());
        TransportException e = assertThrows(TransportException.class,
                () -> SshTransport.connect(sshd.target(stranger, sshd.knownHosts)));
        assertFalse(e instanceof HostKeyRejectedException);
        assertTrue(e.getMessage().contains("Auth"), e.getMessage());
    }

    @Test
    void authenticatesWithAnSshAgent() throws Exception {
        Path socket = sshd.dir.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString()).redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 500 && !Files.exists(socket); i++) {
                Thread.sleep(10);
            }
            ProcessBuilder add = new ProcessBuilder("ssh-add", sshd.userKey.toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", socket.toString());
            Process adding = add.start();
            String said = new String(adding.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, adding.waitFor(), said);
            SshTarget viaAgent = new SshTarget("127.0.0.1", sshd.port, System.getProperty("user.name"), null, socket,
                    sshd.knownHosts, Duration.ofSeconds(10));
            try (SshTransport t = SshTransport.connect(viaAgent)) {
                assertEquals("agent\n", t.run(List.of("echo", "agent"), T).stdoutText());
            }
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void reconnectsAfterTheConnectionIsClosed() {
        SshTransport t = SshTransport.connect(sshd.target());
        t.close();
        assertEquals("again\n", t.run(List.of("echo", "again"), T).stdoutText());
        t.close();
    }
}
