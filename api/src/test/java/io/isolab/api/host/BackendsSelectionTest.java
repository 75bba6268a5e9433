package io.isolab.api.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.Capability;
import io.isolab.api.SandboxSpec;
import io.isolab.api.config.ConfigException;
import io.isolab.api.config.ConfigLoader;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Selection by explicit id, preference with fallback, and required capabilities; and the errors. */
class BackendsSelectionTest {
    @TempDir
    Path dir;

    record FakeSettings(String flavour) {
    }

    /** A provider that is available or not as told; it never creates sandboxes. */
    private static BackendProvider<FakeSettings> fake(String id, String unavailableBecause, Capability... caps) {
        Map<Capability, String> declared = new EnumMap<>(Capability.class);
        for (Capability c : caps) {
            declared.put(c, "fake");
        }
        BackendDescriptor descriptor = new BackendDescriptor(id, "fake " + id, declared);
        return new BackendProvider<>() {
            @Override
            public BackendDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public Class<FakeSettings> settingsType() {
                return FakeSettings.class;
            }

            @Override
            public Availability probe(BackendContext<FakeSettings> context) {
                return unavailableBecause == null ? Availability.available(Map.of("flavour", String.valueOf(context.settings().flavour())))
                        : Availability.unavailable(unavailableBecause, "try harder");
            }

            @Override
            public BackendDriver open(BackendContext<FakeSettings> context) {
                return new BackendDriver() {
                    @Override
                    public SandboxHandle create(io.isolab.api.SandboxSpec spec, SandboxContext c) {
                        throw new UnsupportedOperationException("selection tests create no sandboxes");
                    }

                    @Override
                    public List<HostResource> inventory() {
                        return List.of();
                    }

                    @Override
                    public void reclaim(HostResource resource) {
                    }
                };
            }
        };
    }

    private final List<BackendProvider<?>> providers = List.of(
            fake("chroot", null, Capability.FILESYSTEM_ROOT),
            fake("linux-ns", "not root", Capability.FILESYSTEM_ROOT, Capability.PID_ISOLATION),
            fake("hypervisor", null, Capability.FILESYSTEM_ROOT, Capability.PID_ISOLATION, Capability.SEPARATE_KERNEL),
            fake("jail", "no FreeBSD host configured", Capability.FILESYSTEM_ROOT, Capability.PID_ISOLATION));

    private Backends backends(String yaml) {
        IsolabConfig config = ConfigLoader.parse(Path.of("test.yaml"), yaml).withDirs(dir.resolve("state"), dir.resolve("cache"), dir);
        return Backends.of(config, providers);
    }

    private String selected(String yaml) {
        try (Backends b = backends(yaml); Backend backend = b.select()) {
            return backend.id();
        }
    }

    @Test
    void listsEveryBackendWithItsAvailability() {
        try (Backends b = backends("")) {
            List<BackendStatus> list = b.list();
            assertEquals(List.of("chroot", "hypervisor", "jail", "linux-ns"), list.stream().map(BackendStatus::id).toList());
            assertEquals("no FreeBSD host configured", list.get(2).availability().reason());
            assertEquals("classpath", list.get(0).origin());
        }
    }

    @Test
    void explicitBackend() {
        assertEquals("chroot", selected("backend: chroot\n"));
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> selected("backend: linux-ns\n"));
        assertEquals("backend 'linux-ns' is unavailable: not root (fix: try harder)", e.getMessage());
    }

    @Test
    void preferenceFallsBackToTheNextAvailable() {
        assertEquals("hypervisor", selected("prefer: [linux-ns, hypervisor, chroot]\n"));
    }

    @Test
    void defaultOrderPicksTheStrongestAvailable() {
        assertEquals("hypervisor", selected(""));
    }

    @Test
    void requiredCapabilitiesFilter() {
        assertEquals("hypervisor", selected("prefer: [chroot, hypervisor]\nrequire: [pid-isolation]\n"));
    }

    @Test
    void whenNothingQualifiesEveryCandidateSaysWhy() {
        NoBackendAvailableException e = assertThrows(NoBackendAvailableException.class,
                () -> selected("prefer: [chroot, linux-ns, jail]\nrequire: [pid-isolation]\n"));
        assertEquals(List.of("chroot: lacks pid-isolation", "linux-ns: not root", "jail: no FreeBSD host configured"),
                e.reasons());
        assertTrue(e.getMessage().startsWith("no backend available with pid-isolation"), e.getMessage());
    }

    @Test
    void unknownIdsAreErrorsListingTheInstalledOnes() {
        UnknownBackendException e = assertThrows(UnknownBackendException.class, () -> backends("backend: linuxns\n"));
        assertEquals("unknown backend 'linuxns' in the config (installed: chroot, hypervisor, jail, linux-ns)", e.getMessage());
        assertThrows(UnknownBackendException.class, () -> backends("prefer: [chroot, vmware]\n"));
        assertThrows(UnknownBackendException.class, () -> backends("backends:\n  vmware: {}\n"));
        try (Backends b = backends("")) {
            assertThrows(UnknownBackendException.class, () -> b.open("nope"));
        }
    }

    @Test
    void perBackendSettingsAreBoundAtLoad() {
        try (Backends b = backends("backends:\n  chroot:\n    flavour: vanilla\n")) {
            assertEquals("vanilla", b.list().get(0).availability().facts().get("flavour"));
        }
        ConfigException e = assertThrows(ConfigException.class, () -> backends("backends:\n  chroot:\n    flavor: x\n"));
        assertTrue(e.getMessage().startsWith("test.yaml:3: unknown key 'backends.chroot.flavor'"), e.getMessage());
    }

    @Test
    void explicitSelectionApi() {
        try (Backends b = backends(""); Backend backend = b.select(List.of("linux-ns", "chroot"), Set.of())) {
            assertEquals("chroot", backend.id());
        }
    }
}
