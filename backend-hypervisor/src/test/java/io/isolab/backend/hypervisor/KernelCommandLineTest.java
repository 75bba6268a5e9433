package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelCommandLineTest {

    @Test
    void tellsATcgGuestItsTscRateAndToTrustIt() {
        String line = new KernelCommandLine(2793438L).sandbox();
        assertTrue(line.contains(" tsc_early_khz=2793438 tsc=reliable "), line);
        assertTrue(line.endsWith(" rdinit=/isolab/init"), line);
        assertTrue(line.contains(" acpi=off ") && line.contains(" reboot=t "), line);
    }

    @Test
    void leavesTheClockToAGuestWhoseRateIsUnknown() {
        assertFalse(new KernelCommandLine(null).sandbox().contains("tsc"));
    }

    @Test
    void aConsoleRunIsTheSandboxsLinePlusTheCommandAndTheNonce() {
        KernelCommandLine c = new KernelCommandLine(1000000L);
        assertEquals(c.sandbox() + " isolab.argv={argv} isolab.nonce={nonce}", c.consoleRun());
    }
}
