package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTscTest {

    @Test
    void aConstantRateNeedsConstantTscOnEveryCpu() {
        String both = "processor\t: 0\nflags\t\t: fpu tsc constant_tsc nonstop_tsc\n\nprocessor\t: 1\nflags\t\t: fpu tsc constant_tsc\n";
        assertTrue(HostTsc.constantRate(both));
        assertFalse(HostTsc.constantRate(both.replace("tsc constant_tsc\n", "tsc\n")));
        assertFalse(HostTsc.constantRate("flags\t\t: fpu tsc constant_tsc_x\n"));
        assertFalse(HostTsc.constantRate(""));
    }

    /** Measured with the packaged helper on this host: a plausible rate, and the same one twice. */
    @Test
    void measuresThisHostsRate(@TempDir Path cache) throws Exception {
        assumeTrue(HostTsc.constantRate(Files.readString(Path.of("/proc/cpuinfo"))), "no constant_tsc on this host");
        HostTsc.Rate rate = HostTsc.rate(cache);
        assertNotNull(rate.khz(), rate::why);
        assertTrue(rate.khz() > 200_000 && rate.khz() < 10_000_000, () -> rate.khz() + " kHz");
    }
}
