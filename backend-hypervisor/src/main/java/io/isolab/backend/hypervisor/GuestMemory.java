package io.isolab.backend.hypervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The least RAM a guest boots in, from the two things that take it before the workload runs.
 * <ul>
 *   <li>The kernel: its decompressor writes the kernel to its preferred load address and needs
 *       {@code init_size} bytes from there (both in the bzImage's setup header). Debian's cloud kernel
 *       (6.1) loads at 16 MiB and needs 51.5 MiB: below 68 MiB it dies before printing a line.</li>
 *   <li>The initramfs: the image QEMU loads, and the tmpfs the kernel unpacks it into, both in RAM until
 *       the unpacking is done.</li>
 * </ul>
 * On top, {@link #HEADROOM} for what the booted kernel allocates and for the workload. Measured with that
 * kernel and the default workload rootfs (a 3.7 MB initramfs), under TCG: 72 MiB panics while unpacking
 * the initramfs ("System is deadlocked on memory"), 74 MiB boots and runs {@code isolab-probe true} with
 * 19 MiB available; this computes 83 MiB.
 */
final class GuestMemory {
    /** Booted, the kernel's own allocations and a small workload fit in this. */
    static final long HEADROOM = 8L << 20;
    /** For a kernel whose setup header cannot be read (not a bzImage): what a distribution kernel needs. */
    static final long UNKNOWN_KERNEL = 96L << 20;
    private static final int HEADER_MAGIC_OFFSET = 0x202;
    private static final int HEADER_VERSION_OFFSET = 0x206;
    private static final int PREF_ADDRESS_OFFSET = 0x258;
    private static final int INIT_SIZE_OFFSET = 0x260;
    private static final int HEADER_END = 0x264;
    /** Boot protocol 2.10 added pref_address and init_size. */
    private static final int PROTOCOL_2_10 = 0x020a;
    private static final int MIB = 1 << 20;

    private GuestMemory() {
    }

    /** The least guest RAM, in bytes (whole MiB), for this kernel and an initramfs of this size. */
    static long minimum(Path kernel, long initramfsBytes) {
        long bytes = decompression(kernel) + 2 * initramfsBytes + HEADROOM;
        return (bytes + MIB - 1) / MIB * MIB;
    }

    /** Where the kernel decompresses to, plus what it needs from there. */
    static long decompression(Path kernel) {
        byte[] header = new byte[HEADER_END];
        try (InputStream in = Files.newInputStream(kernel)) {
            if (in.readNBytes(header, 0, header.length) < header.length) {
                return UNKNOWN_KERNEL;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guest kernel " + kernel, e);
        }
        return decompression(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN));
    }

    static long decompression(ByteBuffer header) {
        boolean bzImage = header.getInt(HEADER_MAGIC_OFFSET) == 0x53726448; // "HdrS"
        if (!bzImage || Short.toUnsignedInt(header.getShort(HEADER_VERSION_OFFSET)) < PROTOCOL_2_10) {
            return UNKNOWN_KERNEL;
        }
        return header.getLong(PREF_ADDRESS_OFFSET) + Integer.toUnsignedLong(header.getInt(INIT_SIZE_OFFSET));
    }
}
