package io.isolab.backend.jail.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.InvalidSpecException;
import org.junit.jupiter.api.Test;

class JailParametersTest {
    private final JailParameters table = JailParameters.freebsd();

    @Test
    void knowsFreeBsdsParametersWithTypeAndAccess() {
        JailParameter path = table.find("path").orElseThrow();
        assertEquals(ParameterType.STRING, path.type());
        assertEquals(Access.CREATE, path.access());
        assertEquals(Access.MODIFY, table.find("allow.raw_sockets").orElseThrow().access());
        assertEquals(Access.READ, table.find("dying").orElseThrow().access());
        assertEquals(Access.PSEUDO, table.find("mount.devfs").orElseThrow().access());
        assertEquals(ParameterType.JAILSYS, table.find("vnet").orElseThrow().type());
        assertEquals(ParameterType.STRING, table.find("meta.owner").orElseThrow().type(), "keys of a key=value parameter");
        assertTrue(table.find("meta.").isEmpty());
        assertTrue(table.all().stream().allMatch(p -> !p.source().isBlank()), "every row says where it came from");
    }

    @Test
    void acceptsWhatTheBridgeSends() {
        assertEquals("name=isolab-jail-0a", table.creationArgument("name", "isolab-jail-0a"));
        assertEquals("enforce_statfs=2", table.creationArgument("enforce_statfs", "2"));
        assertEquals("vnet=new", table.creationArgument("vnet", "new"));
        assertEquals("ip4=inherit", table.creationArgument("ip4", "inherit"));
    }

    @Test
    void namesAnUnknownParameterAndSuggestsTheOneMeant() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> table.userArgument("parameters.allow.raw_socket", "allow.raw_socket", "true"));
        assertEquals("parameters.allow.raw_socket", e.field());
        assertTrue(e.getMessage().contains("unknown jail parameter 'allow.raw_socket'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'allow.raw_sockets'?"), e.getMessage());
        assertTrue(assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "frobnicate", "1"))
                .getMessage().contains("unknown jail parameter 'frobnicate'"));
    }

    @Test
    void refusesMistypedValuesNamingTheParameter() {
        InvalidSpecException bool = assertThrows(InvalidSpecException.class,
                () -> table.userArgument("parameters.allow.mlock", "allow.mlock", "yes"));
        assertEquals("parameters.allow.mlock", bool.field());
        assertTrue(bool.getMessage().contains("true or false"), bool.getMessage());
        assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "devfs_ruleset", "four"));
        assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "children.max", "99999999999"));
        assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "sysvshm", "maybe"));
        assertThrows(InvalidSpecException.class, () -> table.creationArgument("enforce_statfs", "3"));
        assertThrows(InvalidSpecException.class, () -> table.creationArgument("vnet", "disable"),
                "vnet has no disable (kern_jail.c pr_flag_jailsys)");
        assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "ip4.addr", "10.0.0.300"));
        assertEquals("ip4.addr=192.0.2.1,em0|192.0.2.2/24",
                table.userArgument("p", "ip4.addr", "192.0.2.1,em0|192.0.2.2/24"));
        assertEquals("host.hostid=18446744073709551615", table.userArgument("p", "host.hostid", "18446744073709551615"));
        assertEquals("sysvshm=new", table.userArgument("p", "sysvshm", "new"));
    }

    @Test
    void refusesWhatAUserMustNotSet() {
        assertTrue(assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "dying", "true"))
                .getMessage().contains("read-only"));
        assertTrue(assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "path", "/"))
                .getMessage().contains("set by the bridge"));
        assertTrue(assertThrows(InvalidSpecException.class, () -> table.userArgument("p", "mount.devfs", "true"))
                .getMessage().contains("pseudo-parameter"));
        assertTrue(assertThrows(InvalidSpecException.class, () -> table.creationArgument("exec.start", "/bin/sh"))
                .getMessage().contains("pseudo-parameter"));
    }

    @Test
    void measuresEditDistance() {
        assertEquals(0, JailParameters.distance("persist", "persist"));
        assertEquals(1, JailParameters.distance("persist", "persit"));
        assertEquals(3, JailParameters.distance("kitten", "sitting"));
    }
}
