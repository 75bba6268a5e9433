package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isolab.api.NetworkMode;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.OutputSink;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import io.isolab.backend.jail.transport.CollectingSink;
import io.isolab.backend.jail.transport.CommandResult;
import io.isolab.backend.jail.transport.Exit;
import io.isolab.backend.jail.transport.RemoteProcess;
import io.isolab.backend.jail.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The order of the commands the bridge sends over one sandbox's life, and what it makes of the host's answers.
 * The host here is a recording transport whose answers are canned (fixtures, or "exit 0, no output"): this
 * checks what the bridge SENDS and how it reads replies, not what FreeBSD does; JailContractTest does that.
 */
class LifecycleSequenceTest {
    private static final String N = "isolab-jail-0a1b2c3d4e";
    private static final String ROOT = "/usr/local/isolab/rootfs";
    private static final JailSettings SETTINGS = new JailSettings("root@bsd", null, null, null, null, null, null, null,
            null, null);

    @Test
    void createStartDestroy() throws Exception {
        Recording host = new Recording(argv -> argv.get(0).equals("cat")
                ? ok(Fixtures.load("passwd-freebsd.txt")) : ok(""));
        JailDriver driver = new JailDriver(SETTINGS, host, JailCommandsTest.HOST);
        SandboxSpec spec = SandboxSpec.builder(Path.of(ROOT)).command("/usr/bin/isolab-probe", "true")
                .env(Map.of("PATH", "/bin")).memory(64L << 20).maxPids(32).network(NetworkMode.NONE).user("nobody")
                .hostname("h").build();
        driver.validate(spec);
        SandboxHandle sandbox = driver.create(spec, new SandboxContext(N, Path.of("/tmp/unused")));
        sandbox.start(new ProcessIo(new CollectingSink(), new CollectingSink())).awaitExit(Duration.ofSeconds(5));
        sandbox.destroy();
        sandbox.destroy();
        assertEquals(List.of(
                List.of("test", "-d", ROOT),
                List.of("cat", ROOT + "/etc/passwd"),
                List.of("jail", "-q", "-c", "name=" + N, "path=" + ROOT, "host.hostname=h", "persist", "enforce_statfs=2",
                        "vnet=new"),
                List.of("jexec", N, "/sbin/ifconfig", "lo0", "inet", "127.0.0.1/8", "up"),
                List.of("rctl", "-a", "jail:" + N + ":memoryuse:deny=67108864"),
                List.of("rctl", "-a", "jail:" + N + ":vmemoryuse:deny=67108864"),
                List.of("rctl", "-a", "jail:" + N + ":maxproc:deny=32"),
                List.of("cat", ROOT + "/etc/passwd"),
                List.of("jexec", "-U", "nobody", N, "/bin/sh", "-c", JailCommands.CHECK, "isolab-check", "/", "/bin",
                        "/usr/bin/isolab-probe"),
                List.of("started:", "jexec", "-U", "nobody", N, "/bin/sh", "-c", JailCommands.RUN, "isolab-run", "/",
                        "PATH=/bin", "/usr/bin/isolab-probe", "true"),
                List.of("jail", "-q", "-r", N),
                List.of("rctl", "-r", "jail:" + N)), host.sent);
    }

    @Test
    void aFailedCreationRemovesWhatItMadeAndNamesTheStep() {
        Recording host = new Recording(argv -> argv.get(0).equals("jail") && argv.get(2).equals("-c")
                ? new CommandResult(argv, Exit.exited(1), new byte[0],
                        "jail: jail_set: Operation not permitted\n".getBytes(StandardCharsets.UTF_8), false)
                : argv.get(0).equals("jail") ? fail("jail: \"" + N + "\" not found") : ok(""));
        JailDriver driver = new JailDriver(SETTINGS, host, JailCommandsTest.HOST);
        SandboxSpec spec = SandboxSpec.builder(Path.of(ROOT)).command("true").maxPids(8).build();
        SandboxStartException e = assertThrows(SandboxStartException.class,
                () -> driver.create(spec, new SandboxContext(N, Path.of("/tmp/unused"))));
        assertEquals("jail -c", e.step());
        assertEquals(true, e.getMessage().contains("Operation not permitted"), e.getMessage());
        assertEquals(List.of(List.of("jail", "-q", "-r", N), List.of("rctl", "-r", "jail:" + N)),
                host.sent.subList(1, host.sent.size()), "cleans up; a jail that is not there is fine");
    }

    @Test
    void aMissingCommandIsNamedBeforeAnythingRuns() {
        Recording host = new Recording(argv -> argv.contains("isolab-check")
                ? new CommandResult(argv, Exit.exited(JailCommands.CHECK_NOT_FOUND), new byte[0], new byte[0], false)
                : ok(""));
        JailDriver driver = new JailDriver(SETTINGS, host, JailCommandsTest.HOST);
        SandboxHandle sandbox = driver.create(SandboxSpec.builder(Path.of(ROOT)).command("/no/such/command").build(),
                new SandboxContext(N, Path.of("/tmp/unused")));
        SandboxStartException e = assertThrows(SandboxStartException.class,
                () -> sandbox.start(new ProcessIo(new CollectingSink(), new CollectingSink())));
        assertEquals(SandboxStartException.Kind.COMMAND_NOT_FOUND, e.kind());
        assertEquals(true, e.getMessage().contains("/no/such/command"));
    }

    @Test
    void inventoryFindsIsolabJailsAndRulesOnly() {
        Recording host = new Recording(argv -> argv.get(0).equals("jls") ? ok(Fixtures.load("jls-isolab-listing.txt"))
                : argv.equals(List.of("rctl")) ? ok(Fixtures.load("rctl-rules.txt")) : ok(""));
        JailDriver driver = new JailDriver(SETTINGS, host, JailCommandsTest.HOST);
        List<HostResource> found = driver.inventory();
        assertEquals(List.of(
                new HostResource("jail", "isolab-jail-0a1b2c3d4e", "isolab-jail-0a1b2c3d4e"),
                new HostResource("jail", "isolab-jail-ffeeddccbb", "isolab-jail-ffeeddccbb"),
                new HostResource("rctl", "jail:isolab-jail-0a1b2c3d4e:memoryuse:deny=67108864", "isolab-jail-0a1b2c3d4e"),
                new HostResource("rctl", "jail:isolab-jail-0a1b2c3d4e:vmemoryuse:deny=67108864", "isolab-jail-0a1b2c3d4e"),
                new HostResource("rctl", "jail:isolab-jail-0a1b2c3d4e:maxproc:deny=32", "isolab-jail-0a1b2c3d4e"),
                new HostResource("rctl", "jail:isolab-jail-ffeeddccbb:pcpu:deny=25", "isolab-jail-ffeeddccbb")), found);
        host.sent.clear();
        driver.reclaim(found.get(0));
        driver.reclaim(found.get(2));
        assertEquals(List.of(List.of("jail", "-q", "-r", "isolab-jail-0a1b2c3d4e"),
                List.of("rctl", "-r", "jail:isolab-jail-0a1b2c3d4e:memoryuse:deny=67108864")), host.sent);
    }

    private static CommandResult ok(String stdout) {
        return new CommandResult(List.of("x"), Exit.exited(0), stdout.getBytes(StandardCharsets.UTF_8), new byte[0], false);
    }

    private static CommandResult fail(String stderr) {
        return new CommandResult(List.of("x"), Exit.exited(1), new byte[0], stderr.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Records every argv; answers run() with the canned replies and lets started processes exit 0 at once. */
    private static final class Recording implements Transport {
        final List<List<String>> sent = new ArrayList<>();
        private final Function<List<String>, CommandResult> replies;

        Recording(Function<List<String>, CommandResult> replies) {
            this.replies = replies;
        }

        @Override
        public String target() {
            return "recording";
        }

        @Override
        public CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
            sent.add(argv);
            return replies.apply(argv);
        }

        @Override
        public RemoteProcess start(List<String> argv, OutputSink stdout, OutputSink stderr) {
            List<String> record = new ArrayList<>(List.of("started:"));
            record.addAll(argv);
            sent.add(record);
            return new RemoteProcess() {
                @Override
                public Exit await(Duration timeout) {
                    return Exit.exited(0);
                }

                @Override
                public void signal(String name) {
                }

                @Override
                public boolean isAlive() {
                    return false;
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
