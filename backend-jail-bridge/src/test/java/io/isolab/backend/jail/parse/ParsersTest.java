package io.isolab.backend.jail.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.backend.jail.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parsers on FreeBSD's real output where it exists (jailmeta.sh) and on source-derived samples otherwise. */
class ParsersTest {

    @Test
    void readsJlsJsonAsFreeBsdsOwnTestExpectsIt() {
        List<com.fasterxml.jackson.databind.JsonNode> jails = JlsParser.jails(Fixtures.load("jls-jailmeta-name-meta.txt"));
        assertEquals(1, jails.size());
        assertEquals("j", jails.get(0).path("name").asText());
        assertEquals("a b c", jails.get(0).path("meta").asText());
        assertEquals("1 2 3", JlsParser.jails(Fixtures.load("jls-jailmeta-env.txt")).get(0).path("env").asText());
        assertEquals(List.of(), JlsParser.entries(Fixtures.load("jls-jailmeta-env.txt")), "a jail without name is skipped");
        assertEquals(0, JlsParser.jails(Fixtures.load("jls-jailmeta-no-values.txt")).get(0).size());
    }

    @Test
    void readsTheListingTheBridgeAsksFor() {
        assertEquals(List.of(
                new JailEntry("isolab-jail-0a1b2c3d4e", 7, "/usr/local/isolab/rootfs"),
                new JailEntry("www", 8, "/jails/www"),
                new JailEntry("isolab-jail-ffeeddccbb", 12, "/usr/local/isolab/rootfs")),
                JlsParser.entries(Fixtures.load("jls-isolab-listing.txt")));
        assertEquals(List.of(), JlsParser.entries(Fixtures.load("jls-empty.txt")));
        assertEquals(7, JlsParser.entries("{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"name\":\"a\",\"jid\":7}]}}")
                .get(0).jid(), "the parameterless output writes jid as a number");
    }

    @Test
    void refusesWhatIsNotJlsJson() {
        assertThrows(IllegalArgumentException.class, () -> JlsParser.jails("jls: unknown parameter: nme"));
        assertThrows(IllegalArgumentException.class, () -> JlsParser.jails("{\"jail-information\": {}}"));
    }

    @Test
    void readsRctlUsage() {
        Map<String, Long> usage = RctlParser.usage(Fixtures.load("rctl-usage.txt"));
        assertEquals(25, usage.size(), "every resource of kern_rctl.c resourcenames[]");
        assertEquals(19615744L, usage.get("memoryuse"));
        assertEquals(2L, usage.get("cputime"));
        assertEquals(2L, usage.get("maxproc"));
        assertEquals(3L, usage.get("pcpu"));
        assertThrows(IllegalArgumentException.class, () -> RctlParser.usage("memoryuse=lots\n"));
    }

    @Test
    void readsRctlRules() {
        List<RctlRule> rules = RctlParser.rules(Fixtures.load("rctl-rules.txt"));
        assertEquals(6, rules.size());
        RctlRule first = rules.get(0);
        assertEquals(new RctlRule("jail", "isolab-jail-0a1b2c3d4e", "memoryuse", "deny", 67108864L,
                "jail:isolab-jail-0a1b2c3d4e:memoryuse:deny=67108864"), first);
        assertEquals("user", rules.get(4).subject());
        assertEquals(100L, rules.get(4).amount());
        assertEquals(List.of(), RctlParser.rules("RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable\n"));
    }

    @Test
    void sumsPsCpuTimes() {
        assertEquals(30_000_000L + 62_500_000_000L + 720_000_000_000L, PsParser.cpuNanos(Fixtures.load("ps-time.txt")));
        assertEquals(0, PsParser.cpuNanos(""));
        assertEquals(3_723_010_000_000L, PsParser.cpuNanos("1:02:03.01"));
        assertThrows(IllegalArgumentException.class, () -> PsParser.cpuNanos("soon"));
    }

    @Test
    void readsPasswd() {
        List<PasswdEntry> users = PasswdEntry.parse(Fixtures.load("passwd-freebsd.txt"));
        assertEquals(5, users.size());
        assertTrue(users.contains(new PasswdEntry("nobody", 65534, 65534)));
        assertTrue(users.contains(new PasswdEntry("root", 0, 0)));
    }
}
