package io.isolab.backend.jail.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The local transport (isolab running on the FreeBSD host itself), exercised on this machine. */
class LocalTransportTest {
    private static final Duration T = Duration.ofSeconds(20);
    private final LocalTransport local = new LocalTransport();

    @Test
    void passesArgumentsWithoutAShell() {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\n"));
        argv.addAll(HostileArguments.ALL);
        CommandResult r = local.run(argv, T);
        assertEquals(Exit.exited(0), r.exit(), r::describe);
        assertEquals(HostileArguments.printed(), r.stdoutText());
    }

    @Test
    void reportsExitCodesSignalsAndStreamsApart() {
        assertEquals(Exit.exited(7), local.run(List.of("sh", "-c", "exit 7"), T).exit());
        assertEquals(Exit.killed("SEGV"), local.run(List.of("sh", "-c", "kill -SEGV $$"), T).exit());
        CommandResult r = local.run(List.of("sh", "-c", "printf out; printf err >&2"), T);
        assertEquals("out", r.stdoutText());
        assertEquals("err", r.stderrText());
    }

    @Test
    void killsACommandAtItsTimeoutAndFeedsStdin() {
        CommandResult slow = local.run(List.of("sleep", "30"), Duration.ofMillis(300));
        assertTrue(slow.timedOut());
        assertFalse(slow.success());
        byte[] data = "line\n".repeat(10_000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertArrayEquals(data, local.run(List.of("cat"), data, T).stdout());
    }

    @Test
    void signalsAStartedCommand() throws Exception {
        CollectingSink out = new CollectingSink();
        RemoteProcess p = local.start(List.of("sleep", "30"), out, new CollectingSink());
        p.signal("TERM");
        assertEquals(Exit.killed("TERM"), p.await(Duration.ofSeconds(10)));
    }

    @Test
    void refusesArgumentsNoCommandLineCanCarry() {
        assertThrows(IllegalArgumentException.class, () -> local.run(List.of("echo", "a\0b"), T));
        assertThrows(IllegalArgumentException.class, () -> local.run(List.of(), T));
    }
}
