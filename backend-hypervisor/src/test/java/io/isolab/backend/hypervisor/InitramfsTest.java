package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.InvalidSpecException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {
    @TempDir
    Path cache;
    @TempDir
    Path rootfs;
    private List<KernelModules.Module> modules;

    @BeforeEach
    void tree() throws Exception {
        Files.createDirectories(rootfs.resolve("usr/bin"));
        Files.writeString(rootfs.resolve("usr/bin/tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(rootfs.resolve("usr/bin/tool"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(rootfs.resolve("tool"), Path.of("usr/bin/tool"));
        Files.createDirectories(rootfs.resolve("dev"));
        Path ko = cache.resolve("virtio.ko");
        Files.writeString(ko, "module");
        modules = List.of(new KernelModules.Module("virtio", ko));
    }

    private static Map<String, CpioArchiveEntry> entries(Path image, Map<String, byte[]> contents) throws Exception {
        Map<String, CpioArchiveEntry> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(image); CpioArchiveInputStream cpio = new CpioArchiveInputStream(in)) {
            for (CpioArchiveEntry e; (e = cpio.getNextCPIOEntry()) != null; ) {
                entries.put(e.getName(), e);
                contents.put(e.getName(), cpio.readAllBytes());
            }
        }
        return entries;
    }

    @Test
    void packsTheRootfsWithInitAndDrivers() throws Exception {
        Path image = Initramfs.ensure(cache, rootfs, modules, 256L << 20);
        Map<String, byte[]> contents = new LinkedHashMap<>();
        Map<String, CpioArchiveEntry> entries = entries(image, contents);
        assertEquals(0750, entries.get("usr/bin/tool").getMode() & 07777);
        assertTrue(entries.get("tool").isSymbolicLink());
        assertEquals("usr/bin/tool", new String(contents.get("tool"), StandardCharsets.UTF_8));
        assertTrue(entries.get("dev/console").isCharacterDevice());
        assertEquals(5, entries.get("dev/console").getRemoteDeviceMaj());
        assertArrayEquals(Initramfs.guestInit(), contents.get("isolab/init"));
        assertEquals(0755, entries.get("isolab/init").getMode() & 07777);
        assertEquals("virtio.ko\n", new String(contents.get("isolab/modules/order"), StandardCharsets.UTF_8));
        assertTrue(List.copyOf(entries.keySet()).indexOf("usr") < List.copyOf(entries.keySet()).indexOf("usr/bin/tool"),
                "directories come before what is in them: the kernel does not create parents");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(image)),
                "libvirt's QEMU user reads it");
    }

    @Test
    void isBuiltOnceAndRebuiltWhenTheRootfsChanges() throws Exception {
        Path first = Initramfs.ensure(cache, rootfs, modules, 256L << 20);
        assertEquals(first, Initramfs.ensure(cache, rootfs, modules, 256L << 20));
        Files.writeString(rootfs.resolve("usr/bin/new"), "x");
        assertNotEquals(first, Initramfs.ensure(cache, rootfs, modules, 256L << 20));
    }

    @Test
    void refusesARootfsTheGuestCannotHold() throws Exception {
        Files.write(rootfs.resolve("big"), new byte[3 << 20]);
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> Initramfs.ensure(cache, rootfs, modules, 4L << 20));
        assertEquals("rootfs", e.field());
    }
}
