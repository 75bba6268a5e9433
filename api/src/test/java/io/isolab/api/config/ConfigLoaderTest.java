package io.isolab.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.Capability;
import io.isolab.api.NetworkMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("/etc/isolab.yaml");

    record DemoSettings(String uri, Integer port) {
        DemoSettings {
            uri = uri == null ? "qemu:///system" : uri;
            if (port != null && port <= 0) {
                throw new IllegalArgumentException("port must be positive");
            }
        }
    }

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, yaml));
    }

    @Test
    void readsEverySection() {
        IsolabConfig config = ConfigLoader.parse(FILE, """
                prefer: [linux-ns, chroot]
                require: [pid-isolation, memory-limit]
                defaults:
                  memory: 256m
                  cpus: 0.5
                  pids: 64
                  timeout: 30s
                  network: none
                state-dir: /tmp/isolab-state
                backends:
                  hypervisor:
                    uri: qemu+ssh://host/system
                """);
        assertEquals(List.of("linux-ns", "chroot"), config.prefer());
        assertEquals(Set.of(Capability.PID_ISOLATION, Capability.MEMORY_LIMIT), config.require());
        assertEquals(256L << 20, config.defaults().memory());
        assertEquals(0.5, config.defaults().cpus());
        assertEquals(Duration.ofSeconds(30), config.defaults().timeout());
        assertEquals(NetworkMode.NONE, config.defaults().network());
        assertEquals(Path.of("/tmp/isolab-state"), config.stateDir());
        assertEquals(Set.of("hypervisor"), config.backendSettings().ids());
        assertEquals("qemu+ssh://host/system", config.backendSettings().bind("hypervisor", DemoSettings.class).uri());
        assertEquals("qemu:///system", config.backendSettings().bind("absent", DemoSettings.class).uri());
    }

    @Test
    void anEmptyFileMeansDefaults() {
        IsolabConfig config = ConfigLoader.parse(FILE, "");
        assertEquals(List.of(), config.prefer());
        assertEquals(null, config.backend());
    }

    @Test
    void unknownKeyNamesKeyLineAndKnownKeys() {
        ConfigException e = error("backend: chroot\ndefaults:\n  memroy: 5m\n");
        assertEquals("/etc/isolab.yaml:3: unknown key 'defaults.memroy' (known: cpus, memory, network, pids, rootfs, timeout)",
                e.getMessage());
        assertTrue(error("\n\nbakend: x\n").getMessage().startsWith("/etc/isolab.yaml:3: unknown key 'bakend'"));
    }

    @Test
    void badValuesNameKeyAndLine() {
        assertEquals("/etc/isolab.yaml:2: defaults.memory: bad value: '64x' is not a size (expected e.g. 512k, 64m, 2g)",
                error("defaults:\n  memory: 64x\n").getMessage());
        assertEquals("/etc/isolab.yaml:3: defaults.cpus: must be a positive number of cores (got -1.0)",
                error("defaults:\n  pids: 3\n  cpus: -1\n").getMessage());
        assertTrue(error("defaults:\n  timeout: soon\n").getMessage()
                .startsWith("/etc/isolab.yaml:2: defaults.timeout: bad value: 'soon' is not a duration"));
        assertTrue(error("require: [pid-isolation, telepathy]\n").getMessage()
                .contains("unknown capability 'telepathy'"));
        assertTrue(error("defaults:\n  network: bridge\n").getMessage().contains("defaults.network"));
    }

    @Test
    void backendAndPreferAreExclusive() {
        assertTrue(error("backend: chroot\nprefer: [linux-ns]\n").getMessage().contains("either 'backend' or 'prefer'"));
    }

    @Test
    void backendSectionErrorsKeepTheirLines() {
        IsolabConfig config = ConfigLoader.parse(FILE, "backend: hypervisor\nbackends:\n  hypervisor:\n    urii: x\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> config.backendSettings().bind("hypervisor", DemoSettings.class));
        assertTrue(e.getMessage().startsWith("/etc/isolab.yaml:4: unknown key 'backends.hypervisor.urii'"), e.getMessage());
        IsolabConfig bad = ConfigLoader.parse(FILE, "backends:\n  hypervisor:\n    port: -2\n");
        assertEquals("/etc/isolab.yaml:3: backends.hypervisor: port must be positive",
                assertThrows(ConfigException.class, () -> bad.backendSettings().bind("hypervisor", DemoSettings.class)).getMessage());
    }

    record MapSettings(java.util.Map<String, String> parameters) {
        MapSettings {
            parameters.forEach((k, v) -> {
                if (!k.startsWith("allow.")) {
                    throw new io.isolab.api.InvalidSpecException("parameters." + k, "unknown parameter");
                }
            });
        }
    }

    @Test
    void dottedKeysInsideASectionKeepTheirLine() {
        IsolabConfig config = ConfigLoader.parse(FILE, "backends:\n  jail:\n    parameters:\n      allow.mount: 1\n      alow.raw: 1\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> config.backendSettings().bind("jail", MapSettings.class));
        assertEquals("/etc/isolab.yaml:5: backends.jail.parameters.alow.raw: unknown parameter", e.getMessage());
    }

    @Test
    void malformedBackendsSectionIsRefusedAtLoad() {
        assertTrue(error("backends: 5\n").getMessage().contains("backends: must be a mapping"));
    }

    @Test
    void invalidYamlSaysWhere() {
        ConfigException e = error("prefer: [linux-ns\n");
        assertTrue(e.getMessage().startsWith("/etc/isolab.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    }

    @Test
    void missingFileSaysSo() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Path.of("/no/such/isolab.yaml")));
        assertEquals("config file not found: /no/such/isolab.yaml", e.getMessage());
    }
}
