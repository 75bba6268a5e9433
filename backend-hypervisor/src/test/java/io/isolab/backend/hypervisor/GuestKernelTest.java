package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestKernelTest {

    @Test
    void comparesReleasesNumerically() {
        assertTrue(GuestKernel.compareVersions("6.1.0-9-cloud-amd64", "6.1.0-50-cloud-amd64") < 0);
        assertTrue(GuestKernel.compareVersions("6.10.0-1-cloud-amd64", "6.9.0-1-cloud-amd64") > 0);
        assertEquals(0, GuestKernel.compareVersions("6.1.0-50-cloud-amd64", "6.1.0-50-cloud-amd64"));
    }

    @Test
    void findsTheNewestFetchedKernel(@TempDir Path cache) throws Exception {
        for (String release : new String[] {"6.1.0-9-cloud-amd64", "6.1.0-50-cloud-amd64", "6.1.0-47-cloud-amd64"}) {
            Path dir = GuestKernel.kernelsDir(cache).resolve(release);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vmlinuz"), "bzImage");
        }
        GuestKernel kernel = GuestKernel.locate(HypervisorSettings.defaults(), cache).orElseThrow();
        assertEquals("6.1.0-50-cloud-amd64", kernel.release());
        assertEquals(GuestKernel.kernelsDir(cache).resolve("6.1.0-50-cloud-amd64/modules"), kernel.modules());
    }

    @Test
    void findsNothingWhereNothingWasFetched(@TempDir Path cache) {
        assertTrue(GuestKernel.locate(HypervisorSettings.defaults(), cache).isEmpty());
    }
}
