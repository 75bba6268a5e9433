package io.isolab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isolab.api.SandboxStartException.Kind;
import org.junit.jupiter.api.Test;

class SandboxStartExceptionTest {

    @Test
    void execveFailuresFollowTheShellsConventions() {
        assertEquals(Kind.COMMAND_NOT_FOUND, Kind.of("execve", 2)); // ENOENT
        assertEquals(Kind.COMMAND_NOT_FOUND, Kind.of("execve", 20)); // ENOTDIR
        for (int notExecutable : new int[] {1, 8, 13, 21, 26}) { // EPERM ENOEXEC EACCES EISDIR ETXTBSY
            assertEquals(Kind.NOT_EXECUTABLE, Kind.of("execve", notExecutable), "errno " + notExecutable);
        }
        assertEquals(Kind.SETUP, Kind.of("execve", 12)); // ENOMEM
        assertEquals(Kind.SETUP, Kind.of("chroot", 2), "only execve's errno says what became of the command");
    }
}
