package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isolab.backend.jail.transport.CommandResult;
import io.isolab.backend.jail.transport.LocalTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two shell scripts the bridge runs inside the jail, run here by this machine's /bin/sh (dash; FreeBSD's sh
 * is also an ash): what they do does not depend on being in a jail, only on POSIX sh and env(1).
 */
class ScriptsTest {
    private static final Duration T = Duration.ofSeconds(20);
    private final LocalTransport sh = new LocalTransport();
    private Path dir;

    @BeforeEach
    void makeDir() throws Exception {
        dir = Files.createTempDirectory("isolab-scripts-");
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/tool"), "#!/bin/sh\n");
        Files.writeString(dir.resolve("bin/data"), "not executable");
        Files.setPosixFilePermissions(dir.resolve("bin/tool"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeDir() throws Exception {
        io.isolab.backend.jail.transport.LocalSshd.deleteTree(dir);
    }

    @Test
    void runGivesExactlyTheEnvironmentInTheWorkingDirectory() {
        CommandResult r = run(JailCommands.RUN, "/tmp", "PATH=/usr/bin:/bin", "ISOLAB_A=one two", "ISOLAB_B=x=y",
                "/usr/bin/env");
        assertEquals("PATH=/usr/bin:/bin\nISOLAB_A=one two\nISOLAB_B=x=y\n", r.stdoutText(), r::describe);
        assertEquals("/tmp\n", run(JailCommands.RUN, "/tmp", "/bin/pwd").stdoutText());
        assertEquals("", run(JailCommands.RUN, "/", "/usr/bin/env").stdoutText(), "no variable when none is given");
    }

    @Test
    void runPassesTheWorkloadsExitStatus() {
        assertEquals(42, run(JailCommands.RUN, "/", "/bin/sh", "-c", "exit 42").exit().code());
        assertEquals(125, run(JailCommands.RUN, "/no/such/dir", "/bin/true").exit().code());
        assertEquals(127, run(JailCommands.RUN, "/", "PATH=/bin", "no-such-command").exit().code());
    }

    @Test
    void checkTellsAMissingOrUnrunnableCommandApart() {
        String path = dir.resolve("bin") + ":/usr/bin:/bin";
        assertEquals(0, check("/", path, "tool"));
        assertEquals(0, check("/", path, "sh"));
        assertEquals(0, check("/", path, dir.resolve("bin/tool").toString()));
        assertEquals(0, check(dir.toString(), path, "bin/tool"), "relative to the working directory");
        assertEquals(JailCommands.CHECK_NO_CWD, check("/no/such/dir", path, "tool"));
        assertEquals(JailCommands.CHECK_NOT_FOUND, check("/", path, "no-such-command"));
        assertEquals(JailCommands.CHECK_NOT_FOUND, check("/", path, "/no/such/command"));
        assertEquals(JailCommands.CHECK_NOT_EXECUTABLE, check("/", path, dir.resolve("bin/data").toString()));
        assertEquals(JailCommands.CHECK_NOT_EXECUTABLE, check("/", path, "/etc/passwd"));
        assertEquals(JailCommands.CHECK_NOT_EXECUTABLE, check("/", path, "/etc"));
        assertEquals(JailCommands.CHECK_NOT_EXECUTABLE, check("/", dir.resolve("bin").toString(), "data"),
                "execvp fails with EACCES when the only match on PATH cannot be executed");
    }

    private int check(String cwd, String path, String command) {
        CommandResult r = run(JailCommands.CHECK, cwd, path, command);
        return r.exit().code();
    }

    private CommandResult run(String script, String... args) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "isolab-test"));
        argv.addAll(List.of(args));
        return sh.run(argv, T);
    }
}
