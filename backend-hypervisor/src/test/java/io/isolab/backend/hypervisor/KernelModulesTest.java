package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModulesTest {
    @TempDir
    Path dir;

    /** A stand-in for a .ko: some bytes, a .modinfo-like run of NUL-separated key=value strings. */
    private Path module(String relative, String depends) throws Exception {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, ("\u007fELF...\0license=GPL\0depends=" + depends + "\0name=x\0").getBytes(StandardCharsets.US_ASCII));
        return file;
    }

    private static List<String> names(List<KernelModules.Module> modules) {
        return modules.stream().map(KernelModules.Module::name).toList();
    }

    @Test
    void ordersDependenciesFirstAsModinfoSays() throws Exception {
        module("kernel/drivers/virtio/virtio.ko", "");
        module("kernel/drivers/virtio/virtio_ring.ko", "");
        module("kernel/drivers/virtio/virtio_pci_modern_dev.ko", "");
        module("kernel/drivers/virtio/virtio_pci.ko", "virtio_ring,virtio_pci_modern_dev,virtio");
        module("kernel/drivers/char/virtio_console.ko", "virtio,virtio_ring");
        assertEquals(List.of("virtio_ring", "virtio_pci_modern_dev", "virtio", "virtio_pci", "virtio_console"),
                names(KernelModules.resolve(dir, KernelModules.REQUIRED)));
    }

    @Test
    void leavesOutWhatIsBuiltIn() throws Exception {
        module("kernel/drivers/virtio/virtio_pci.ko", "virtio");
        module("kernel/drivers/char/virtio_console.ko", "virtio");
        Files.writeString(dir.resolve("modules.builtin"), "kernel/drivers/virtio/virtio.ko\n");
        assertEquals(List.of("virtio_pci", "virtio_console"), names(KernelModules.resolve(dir, KernelModules.REQUIRED)));
    }

    @Test
    void namesAMissingDriver() throws Exception {
        module("kernel/drivers/virtio/virtio_pci.ko", "virtio");
        KernelModules.MissingModuleException e = assertThrows(KernelModules.MissingModuleException.class,
                () -> KernelModules.resolve(dir, KernelModules.REQUIRED));
        assertEquals("virtio", e.module());
    }

    @Test
    void stripsTheAppendedSignature() throws Exception {
        byte[] body = "module body".getBytes(StandardCharsets.US_ASCII);
        byte[] signature = new byte[] {1, 2, 3, 4, 5};
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        signed.writeBytes(body);
        signed.writeBytes(signature);
        signed.writeBytes(new byte[8]); // algo, hash, id_type, signer_len, key_id_len, pad[3]
        signed.writeBytes(ByteBuffer.allocate(4).putInt(signature.length).array());
        signed.writeBytes("~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII));
        Path file = dir.resolve("signed.ko");
        Files.write(file, signed.toByteArray());
        assertArrayEquals(body, KernelModules.unsigned(file));
        Files.write(file, body);
        assertArrayEquals(body, KernelModules.unsigned(file), "an unsigned module stays as it is");
    }
}
