package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.SandboxStartException;
import io.isolab.backend.jail.transport.Exit;
import io.isolab.backend.jail.transport.CollectingSink;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Messages are jexec.c's err(3) lines ("jexec: " + message) and env.c's (exit 127/126). */
class StartFailureWatchTest {

    @Test
    void recognisesJexecsOwnFailure() {
        CollectingSink err = new CollectingSink();
        StartFailureWatch watch = new StartFailureWatch(err);
        write(watch, "jexec: ");
        write(watch, "jail \"isolab-jail-0a\" not found\n");
        SandboxStartException e = watch.failure(Exit.exited(1)).orElseThrow();
        assertEquals("jexec", e.step());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        assertEquals("", err.text(), "jexec's complaint is the exception's, not the workload's stderr");
    }

    @Test
    void recognisesEnvFailingToExecTheCommand() {
        StartFailureWatch watch = new StartFailureWatch(new CollectingSink());
        write(watch, "env: /no/such/command: No such file or directory\n");
        assertEquals(SandboxStartException.Kind.COMMAND_NOT_FOUND, watch.failure(Exit.exited(127)).orElseThrow().kind());
        StartFailureWatch denied = new StartFailureWatch(new CollectingSink());
        write(denied, "env: /etc/passwd: Permission denied\n");
        assertEquals(SandboxStartException.Kind.NOT_EXECUTABLE, denied.failure(Exit.exited(126)).orElseThrow().kind());
    }

    @Test
    void passesTheWorkloadsStderrThroughUntouched() {
        CollectingSink err = new CollectingSink();
        StartFailureWatch watch = new StartFailureWatch(err);
        write(watch, "j");
        assertEquals("", err.text(), "could still be jexec's");
        write(watch, "ust the workload\n");
        assertEquals("just the workload\n", err.text(), "passed on once it cannot be");
        write(watch, "more\n");
        assertEquals("just the workload\nmore\n", err.text());
        assertTrue(watch.failure(Exit.exited(1)).isEmpty());
    }

    @Test
    void aWorkloadThatSaysJexecButExitsOtherwiseIsTheWorkload() {
        CollectingSink err = new CollectingSink();
        StartFailureWatch watch = new StartFailureWatch(err);
        write(watch, "jexec: pretending\n");
        assertTrue(watch.failure(Exit.exited(3)).isEmpty());
        assertTrue(watch.failure(Exit.killed("KILL")).isEmpty());
        watch.flush();
        assertEquals("jexec: pretending\n", err.text());
    }

    private static void write(StartFailureWatch watch, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        watch.write(bytes, 0, bytes.length);
    }
}
