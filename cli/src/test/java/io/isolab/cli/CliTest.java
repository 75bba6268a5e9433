package io.isolab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a user meets it: output, exit codes and error messages. */
class CliTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String... args) {
        CommandLine cli = IsolabCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void backendsJsonListsAllFourWithAvailabilityAndReasons() throws Exception {
        Outcome o = run("backends", "--json");
        assertEquals(0, o.code(), o.err());
        JsonNode rows = new ObjectMapper().readTree(o.out());
        List<String> ids = new ArrayList<>();
        for (JsonNode row : rows) {
            ids.add(row.path("id").asText());
            assertTrue(row.has("available") && row.has("lineage") && row.has("capabilities"), row.toString());
            if (!row.path("available").asBoolean()) {
                assertFalse(row.path("reason").asText().isBlank(), row.toString());
            }
        }
        assertEquals(List.of("chroot", "hypervisor", "jail", "linux-ns"), ids);
    }

    @Test
    void backendsTableShowsReasons() {
        Outcome o = run("backends");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith("ID"), o.out());
        for (String id : List.of("chroot", "hypervisor", "jail", "linux-ns")) {
            assertTrue(o.out().contains("\n" + id + " "), o.out());
        }
    }

    @Test
    void unknownBackendIsAUsageErrorListingTheInstalledOnes() {
        Outcome o = run("run", "--backend", "vmware", "--", "true");
        assertEquals(ExitCodes.USAGE, o.code());
        assertEquals("isolab: unknown backend 'vmware' in the config (installed: chroot, hypervisor, jail, linux-ns)\n", o.err());
    }

    @Test
    void missingConfigFile() {
        Outcome o = run("-c", dir.resolve("absent.yaml").toString(), "backends");
        assertEquals(ExitCodes.USAGE, o.code());
        assertEquals("isolab: config file not found: " + dir.resolve("absent.yaml") + "\n", o.err());
    }

    @Test
    void configErrorsNameFileLineAndKey() throws Exception {
        Path file = Files.writeString(dir.resolve("isolab.yaml"), "backend: chroot\ndefaults:\n  memroy: 5m\n");
        Outcome unknown = run("backends", "--config", file.toString());
        assertEquals(ExitCodes.USAGE, unknown.code());
        assertTrue(unknown.err().startsWith("isolab: " + file + ":3: unknown key 'defaults.memroy'"), unknown.err());
        Files.writeString(file, "defaults:\n  pids: lots\n");
        Outcome bad = run("backends", "--config", file.toString());
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().startsWith("isolab: " + file + ":2: defaults.pids: bad value"), bad.err());
    }

    @Test
    void badOptionValuesNameTheOption() {
        Outcome o = run("run", "--memory", "64x", "--", "true");
        assertEquals(ExitCodes.USAGE, o.code());
        assertTrue(o.err().contains("--memory: '64x' is not a size"), o.err());
        Outcome noCommand = run("run", "--backend", "chroot");
        assertEquals(ExitCodes.USAGE, noCommand.code());
        assertTrue(noCommand.err().contains("no command given"), noCommand.err());
    }

    @Test
    void noStackTraceForUserErrors() {
        Outcome o = run("run", "--backend", "jail", "--", "true");
        assertEquals(ExitCodes.ISOLAB_ERROR, o.code(), o.err());
        assertTrue(o.err().startsWith("isolab: backend 'jail' is unavailable: "), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    @Test
    void helpDocumentsTheExitCodes() {
        Outcome o = run("--help");
        assertEquals(0, o.code());
        for (String code : List.of("123", "124", "125", "126", "127")) {
            assertTrue(o.out().contains("  " + code + " "), o.out());
        }
    }

    @Test
    void gcRuns() {
        Outcome o = run("gc");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("skipped jail: "), o.out());
    }
}
