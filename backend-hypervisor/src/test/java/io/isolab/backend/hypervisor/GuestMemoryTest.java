package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.Availability;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.SandboxSpec;
import io.isolab.api.Units;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backend;
import io.isolab.api.spi.BackendContext;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The least RAM a guest boots in: from the kernel's setup header and the initramfs; refused below it. */
class GuestMemoryTest {
    private static final long MIB = 1 << 20;

    /** A bzImage setup header: boot protocol, preferred load address and init_size as Debian's 6.1 cloud kernel has them. */
    private static ByteBuffer header(int protocol, long prefAddress, int initSize) {
        ByteBuffer b = ByteBuffer.allocate(0x264).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x202, 0x53726448);
        b.putShort(0x206, (short) protocol);
        b.putLong(0x258, prefAddress);
        b.putInt(0x260, initSize);
        return b;
    }

    @Test
    void theKernelNeedsItsLoadAddressPlusInitSize() {
        assertEquals(16 * MIB + 53968896, GuestMemory.decompression(header(0x020f, 16 * MIB, 53968896)));
    }

    @Test
    void aKernelWithoutAModernSetupHeaderGetsTheConservativeFigure() {
        assertEquals(GuestMemory.UNKNOWN_KERNEL, GuestMemory.decompression(header(0x0209, 16 * MIB, 1)));
        ByteBuffer notBz = header(0x020f, 16 * MIB, 1);
        notBz.putInt(0x202, 0);
        assertEquals(GuestMemory.UNKNOWN_KERNEL, GuestMemory.decompression(notBz));
    }

    @Test
    void theMinimumAddsTheInitramfsTwiceAndHeadroomInWholeMib(@TempDir Path dir) throws Exception {
        Path kernel = dir.resolve("vmlinuz");
        Files.write(kernel, header(0x020f, 16 * MIB, 53968896).array());
        long image = 3747328;
        long expected = 16 * MIB + 53968896 + 2 * image + GuestMemory.HEADROOM;
        long minimum = GuestMemory.minimum(kernel, image);
        assertEquals(0, minimum % MIB);
        assertTrue(minimum >= expected && minimum < expected + MIB, () -> minimum + " for " + expected);
        assertEquals(83 * MIB, minimum, "Debian's 6.1 cloud kernel and the default workload rootfs");
    }

    /** No guest boots: validate() refuses before anything is created. */
    @Test
    void refusesLessThanTheMinimumNamingLimitsMemory() {
        IsolabConfig config = IsolabConfig.standard();
        BackendContext<HypervisorSettings> context = new BackendContext<>(HypervisorSettings.defaults(), config.stateDir(),
                config.cacheDir());
        HypervisorProvider provider = new HypervisorProvider();
        Availability availability = provider.probe(context);
        assumeTrue(availability.available(), () -> "hypervisor is unavailable here: " + availability.reason());
        long minimum = Long.parseLong(availability.facts().get("memory-minimum"));
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        try (Backend backend = Backend.open(provider, context)) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> backend.create(
                    SandboxSpec.builder(rootfs).command(Probe.PATH_IN_ROOTFS, "true").memory(minimum - MIB).build()));
            assertEquals("limits.memory", e.field());
            assertTrue(e.getMessage().contains("at least " + Units.formatBytes(minimum)), e.getMessage());
        }
    }
}
