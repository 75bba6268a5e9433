package io.isolab.backend.jail.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact text the SSH transport sends; {@link SshTransportTest} proves a real shell reads it back. */
class ShellQuotingTest {

    @Test
    void leavesPlainWordsAlone() {
        assertEquals("jail", ShellQuoting.quote("jail"));
        assertEquals("name=isolab-jail-0a1b2c3d4e", ShellQuoting.quote("name=isolab-jail-0a1b2c3d4e"));
        assertEquals("/usr/local/isolab/rootfs", ShellQuoting.quote("/usr/local/isolab/rootfs"));
    }

    @Test
    void quotesEverythingElse() {
        assertEquals("''", ShellQuoting.quote(""));
        assertEquals("'two words'", ShellQuoting.quote("two words"));
        assertEquals("'it'\\''s'", ShellQuoting.quote("it's"));
        assertEquals("'$HOME'", ShellQuoting.quote("$HOME"));
        assertEquals("'a\nb'", ShellQuoting.quote("a\nb"));
        assertEquals("'`id`'", ShellQuoting.quote("`id`"));
    }

    @Test
    void execsTheCommandSoItsStatusIsTheSessions() {
        assertEquals("exec jls --libxo=json 'a b'", ShellQuoting.commandLine(List.of("jls", "--libxo=json", "a b")));
    }
}
