package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.isolab.api.Availability;
import io.isolab.api.spi.BackendContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The availability probe's reasons, without touching the host's libvirtd. */
class HostCheckTest {
    @TempDir
    Path dir;

    private Availability probe(String uri) {
        HypervisorSettings settings = new HypervisorSettings(uri, null, null, null, null, null, null, null, null);
        return new HypervisorProvider().probe(new BackendContext<>(settings, dir.resolve("state"), dir.resolve("cache")));
    }

    @Test
    void refusesRemoteHypervisorsWithTheReason() {
        Availability a = probe("qemu+ssh://root@elsewhere.example/system");
        assertFalse(a.available());
        assertTrue(a.reason().contains("remote libvirt URIs"), a.reason());
        assertEquals("qemu+ssh://root@elsewhere.example/system", a.facts().get("libvirt-uri"));
    }

    /** libvirt's in-process test driver: a real connection that offers neither kvm nor qemu domains. */
    @Test
    void saysWhenLibvirtOffersNoDomainTypeToRunTheGuest() {
        Availability a = probe("test:///default");
        assumeFalse(a.reason().contains("client library"), a.reason());
        assertFalse(a.available());
        assertTrue(a.reason().contains("neither kvm") && a.reason().contains("qemu"), a.reason());
        assertTrue(a.facts().containsKey("libvirt-version"), () -> "facts: " + a.facts());
    }

    @Test
    void namesTheRemedyWhenLibvirtdIsNotReachable() {
        Availability a = probe("qemu:///isolab-no-such-path");
        assumeFalse(a.reason().contains("client library"), a.reason());
        assertFalse(a.available());
        assertEquals(HostCheck.REMEDY, a.remedy());
    }
}
