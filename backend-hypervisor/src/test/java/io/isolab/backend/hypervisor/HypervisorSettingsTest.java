package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.config.ConfigException;
import io.isolab.api.config.ConfigLoader;
import io.isolab.api.config.IsolabConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HypervisorSettingsTest {

    private static HypervisorSettings bind(String yaml) {
        IsolabConfig config = ConfigLoader.parse(Path.of("isolab.yaml"), yaml);
        return config.backendSettings().bind("hypervisor", HypervisorSettings.class);
    }

    @Test
    void defaultsToTheSystemHypervisorAndWhateverDomainTypeWorks() {
        HypervisorSettings s = bind("");
        assertEquals("qemu:///system", s.uri());
        assertEquals(DomainType.AUTO, s.domainType());
        assertEquals(256L << 20, s.defaultMemory());
        assertEquals(1, s.vcpus());
        assertEquals("pc", s.machine());
    }

    @Test
    void bindsItsSection() {
        HypervisorSettings s = bind("""
                backends:
                  hypervisor:
                    uri: qemu:///session
                    domain-type: qemu
                    kernel: /boot/vmlinuz
                    default-memory: 512m
                    vcpus: 2
                    boot-timeout: 90s
                """);
        assertEquals("qemu:///session", s.uri());
        assertEquals(DomainType.QEMU, s.domainType());
        assertEquals(Path.of("/boot/vmlinuz"), s.kernel());
        assertEquals(512L << 20, s.defaultMemory());
        assertEquals(2, s.vcpus());
        assertEquals(Duration.ofSeconds(90), s.bootTimeout());
    }

    @Test
    void namesABadValueAndItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> bind("""
                backends:
                  hypervisor:
                    domain-type: xen
                """));
        assertTrue(e.getMessage().contains("isolab.yaml:3"), e.getMessage());
        assertTrue(e.getMessage().contains("domain-type"), e.getMessage());
        ConfigException small = assertThrows(ConfigException.class,
                () -> bind("backends:\n  hypervisor:\n    default-memory: 0\n"));
        assertTrue(small.getMessage().contains("default-memory"), small.getMessage());
    }
}
