package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.config.ConfigException;
import io.isolab.api.config.ConfigLoader;
import io.isolab.api.config.IsolabConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Binding from the config's backends.jail section, as the host does it. */
class JailSettingsTest {

    private static JailSettings bind(String yaml) {
        IsolabConfig config = ConfigLoader.parse(Path.of("isolab.yaml"), yaml);
        return config.backendSettings().bind("jail", JailSettings.class);
    }

    @Test
    void bindsKebabCaseKeys() {
        JailSettings s = bind(String.join("\n",
                "backends:",
                "  jail:",
                "    host: admin@bsd.example.org",
                "    port: 2222",
                "    identity: /keys/id_ed25519",
                "    known-hosts: /keys/known_hosts",
                "    connect-timeout: 3s",
                "    rootfs: /jails/isolab",
                "    probe: linux",
                "    parameters: {allow.raw_sockets: true, devfs_ruleset: 4}",
                ""));
        assertEquals("bsd.example.org", s.host());
        assertEquals("admin", s.user());
        assertEquals(JailSettings.Mode.SSH, s.mode());
        assertEquals(ProbeMode.LINUX, s.probeMode());
        assertEquals(2222, s.sshTarget().port());
        assertEquals(Path.of("/keys/id_ed25519"), s.sshTarget().identity());
        assertEquals(Path.of("/keys/known_hosts"), s.sshTarget().knownHosts());
        assertEquals(Duration.ofSeconds(3), s.sshTarget().connectTimeout());
        assertEquals(List.of("allow.raw_sockets=true", "devfs_ruleset=4"), s.parameterArguments());
    }

    @Test
    void hasDefaults() {
        JailSettings s = bind("backend: jail\n");
        assertNull(s.host());
        assertEquals(System.getProperty("os.name").equals("FreeBSD") ? JailSettings.Mode.LOCAL : JailSettings.Mode.NONE,
                s.mode());
        assertEquals("root", s.user());
        assertEquals(22, s.port());
        assertEquals("/usr/local/isolab/rootfs", s.rootfs());
        assertEquals(ProbeMode.SOURCE, s.probeMode());
        assertEquals(Path.of(System.getProperty("user.home"), ".ssh/known_hosts"),
                new JailSettings("h", null, null, null, null, null, null, null, null, null).sshTarget().knownHosts());
        assertEquals(JailSettings.Mode.LOCAL, bind("backends: {jail: {host: local}}\n").mode());
    }

    @Test
    void namesTheKeyOfABadValueWithItsLine() {
        assertError("backends:\n  jail:\n    port: 70000\n", "isolab.yaml:3", "backends.jail.port", "1-65535");
        assertError("backends:\n  jail:\n    probe: docker\n", "isolab.yaml:3", "backends.jail.probe", "source, linux, none");
        assertError("backends:\n  jail:\n    rootfs: relative\n", "isolab.yaml:3", "backends.jail.rootfs", "absolute");
        assertError("backends:\n  jail:\n    connect-timeout: soon\n", "isolab.yaml:3", "backends.jail.connect-timeout",
                "not a duration");
        assertError("backends:\n  jail:\n    hots: bsd\n", "isolab.yaml:3", "unknown key 'backends.jail.hots'", "known-hosts");
    }

    @Test
    void namesABadJailParameter() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> bind("backends:\n  jail:\n    parameters:\n      allow.raw_socket: true\n"));
        assertTrue(e.getMessage().contains("parameters.allow.raw_socket"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'allow.raw_sockets'"), e.getMessage());
        ConfigException mistyped = assertThrows(ConfigException.class,
                () -> bind("backends:\n  jail:\n    parameters: {devfs_ruleset: four}\n"));
        assertTrue(mistyped.getMessage().contains("parameters.devfs_ruleset"), mistyped.getMessage());
        assertTrue(mistyped.getMessage().contains("32-bit integer"), mistyped.getMessage());
    }

    private static void assertError(String yaml, String... parts) {
        ConfigException e = assertThrows(ConfigException.class, () -> bind(yaml));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' missing from: " + e.getMessage());
        }
    }
}
