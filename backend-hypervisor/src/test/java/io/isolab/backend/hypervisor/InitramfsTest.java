package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
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
        Path image = Initramfs.ensure(cache, rootfs, modules);
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
        Path first = Initramfs.ensure(cache, rootfs, modules);
        assertEquals(first, Initramfs.ensure(cache, rootfs, modules));
        Files.writeString(rootfs.resolve("usr/bin/new"), "x");
        assertNotEquals(first, Initramfs.ensure(cache, rootfs, modules));
    }

    @Test
    void ignoresDirectoryTimesButNotFileTimes() throws Exception {
        Path first = Initramfs.ensure(cache, rootfs, modules);
        Files.setLastModifiedTime(rootfs.resolve("usr/bin"), FileTime.fromMillis(1234000));
        assertEquals(first, Initramfs.ensure(cache, rootfs, modules), "another backend's workload wrote in a directory");
        Files.setLastModifiedTime(rootfs.resolve("usr/bin/tool"), FileTime.fromMillis(1234000));
        assertNotEquals(first, Initramfs.ensure(cache, rootfs, modules));
    }

    @Test
    void removesImagesNotUsedForADayWhenItBuildsAnother() throws Exception {
        Path old = Initramfs.ensure(cache, rootfs, modules);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Initramfs.UNUSED).minusSeconds(60)));
        Files.writeString(rootfs.resolve("usr/bin/new"), "x");
        Path used = Initramfs.ensure(cache, rootfs, modules);
        Files.writeString(rootfs.resolve("usr/bin/newer"), "x");
        Initramfs.ensure(cache, rootfs, modules);
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(used));
    }
}
