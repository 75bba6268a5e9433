package io.isolab.workload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Just enough ELF to tell whether an executable needs a dynamic loader, which a bare rootfs lacks. */
final class Elf {
    private static final int PT_INTERP = 3;

    private Elf() {
    }

    /**
     * Whether {@code image} is an ELF file with program headers and none of type {@code PT_INTERP}: it runs
     * without {@code ld.so} and shared libraries (static, or static-pie). Anything unparseable is not.
     */
    static boolean isStatic(byte[] image) {
        if (image.length < 52 || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F') {
            return false;
        }
        boolean is64 = image[4] == 2;
        if ((image[4] != 1 && !is64) || (image[5] != 1 && image[5] != 2) || (is64 && image.length < 64)) {
            return false;
        }
        ByteBuffer elf = ByteBuffer.wrap(image).order(image[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        long phoff = is64 ? elf.getLong(0x20) : Integer.toUnsignedLong(elf.getInt(0x1C));
        int phentsize = Short.toUnsignedInt(elf.getShort(is64 ? 0x36 : 0x2A));
        int phnum = Short.toUnsignedInt(elf.getShort(is64 ? 0x38 : 0x2C));
        if (phnum == 0 || phentsize < 4 || phoff < 0 || phoff + (long) phnum * phentsize > image.length) {
            return false;
        }
        for (int i = 0; i < phnum; i++) {
            if (elf.getInt((int) (phoff + (long) i * phentsize)) == PT_INTERP) {
                return false;
            }
        }
        return true;
    }
}
