package io.isolab.backend.hypervisor;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * The guest's initramfs: a sandbox's rootfs plus isolab's init and the drivers it loads, as the newc cpio
 * archive the kernel unpacks into its root tmpfs. Uncompressed, because under TCG decompressing costs more
 * than copying; cached under the cache directory by a digest of everything in it, so a rootfs is packed
 * once and every later sandbox only points libvirt at the file. Directories' times are left out of the
 * digest: a workload that writes and removes a file in the rootfs's {@code /tmp} (other backends run in
 * the same tree) changes nothing the guest would see. An image not used for {@link #UNUSED} is removed
 * when another is built.
 */
final class Initramfs {
    /** Changes whenever the layout below changes, so stale images are not reused. */
    private static final int LAYOUT = 1;
    static final Duration UNUSED = Duration.ofDays(1);
    /** How stale an image's time may get before a use refreshes it (so that use is not a write each time). */
    private static final Duration REFRESH = Duration.ofHours(1);
    static final String INIT_PATH = "/isolab/init";
    private static final String GUEST_INIT_RESOURCE = "/META-INF/native/linux-x86_64/isolab-guest-init";

    private Initramfs() {
    }

    /** The image for {@code rootfs}, built if missing. */
    static Path ensure(Path cacheDir, Path rootfs, List<KernelModules.Module> modules) {
        byte[] init = guestInit();
        List<Entry> entries = scan(rootfs);
        Path dir = cacheDir.resolve("hypervisor").resolve("initramfs");
        Path image = dir.resolve(digest(entries, init, modules) + ".cpio");
        if (Files.isRegularFile(image) && refresh(image)) {
            return image;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".building-", ".cpio");
            try {
                write(tmp, rootfs, entries, init, modules);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                try {
                    Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, image, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            removeUnused(dir);
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the guest initramfs under " + dir, e);
        }
    }

    /** Marks the image as used, at most once per {@link #REFRESH}; false when it is gone (removed as unused). */
    private static boolean refresh(Path image) {
        try {
            Instant now = Instant.now();
            if (Files.getLastModifiedTime(image).toInstant().isBefore(now.minus(REFRESH))) {
                Files.setLastModifiedTime(image, FileTime.from(now));
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes images not used for {@link #UNUSED}: QEMU reads an image whole when it starts, so none is in use. */
    private static void removeUnused(Path dir) throws IOException {
        Instant cutoff = Instant.now().minus(UNUSED);
        try (Stream<Path> images = Files.list(dir)) {
            for (Path p : images.filter(p -> p.getFileName().toString().endsWith(".cpio")).toList()) {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    // gone already, or not ours to remove: it stays
                }
            }
        }
    }

    static byte[] guestInit() {
        try (InputStream in = Initramfs.class.getResourceAsStream(GUEST_INIT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("isolab-guest-init is not packaged at " + GUEST_INIT_RESOURCE
                        + ": was the backend built with gcc?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One file of the rootfs, with what the archive records of it. */
    private record Entry(String name, Path path, long mode, long uid, long gid, long mtime, long size, String link,
                         long rdevMajor, long rdevMinor) {
    }

    private static List<Entry> scan(Path rootfs) {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(rootfs)) {
            for (Path p : paths.sorted().toList()) {
                if (p.equals(rootfs)) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,size,rdev",
                        LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                int type = mode & CpioConstants.S_IFMT;
                if (type == CpioConstants.C_ISSOCK) {
                    continue;
                }
                String link = type == CpioConstants.C_ISLNK ? Files.readSymbolicLink(p).toString() : null;
                long size = type == CpioConstants.C_ISREG ? (Long) a.get("size")
                        : link != null ? link.getBytes(StandardCharsets.UTF_8).length : 0;
                long rdev = (Long) a.get("rdev");
                entries.add(new Entry(rootfs.relativize(p).toString(), p, mode, (Integer) a.get("uid"), (Integer) a.get("gid"),
                        ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000, size, link,
                        major(rdev), minor(rdev)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the rootfs " + rootfs, e);
        }
        return entries;
    }

    /** glibc's gnu_dev_major: Linux's 64-bit dev_t keeps the major in bits 8-19 and 44-63. */
    private static long major(long dev) {
        return ((dev & 0xfff00L) >>> 8) | ((dev & 0xfffff00000000000L) >>> 32);
    }

    /** glibc's gnu_dev_minor: the minor is in bits 0-7 and 20-43. */
    private static long minor(long dev) {
        return (dev & 0xffL) | ((dev & 0xffffff00000L) >>> 12);
    }

    /** Names the image by what is in it: paths, metadata and sizes of the rootfs (as make does), init and drivers. */
    private static String digest(List<Entry> entries, byte[] init, List<KernelModules.Module> modules) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("layout " + LAYOUT + "\n").getBytes(StandardCharsets.UTF_8));
            for (Entry e : entries) {
                long mtime = (e.mode & CpioConstants.S_IFMT) == CpioConstants.C_ISDIR ? 0 : e.mtime;
                sha.update((e.name + " " + e.mode + " " + e.uid + " " + e.gid + " " + mtime + " " + e.size + " "
                        + e.link + " " + e.rdevMajor + ":" + e.rdevMinor + "\n").getBytes(StandardCharsets.UTF_8));
            }
            sha.update(init);
            for (KernelModules.Module m : modules) {
                sha.update((m.name() + " " + m.file() + " " + Files.size(m.file()) + " "
                        + Files.getLastModifiedTime(m.file()).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path target, Path rootfs, List<Entry> entries, byte[] init,
                              List<KernelModules.Module> modules) throws IOException {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16);
             CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(file, CpioConstants.FORMAT_NEW)) {
            long inode = 1;
            Set<String> names = new HashSet<>();
            for (Entry e : entries) {
                if (e.name.equals("isolab") || e.name.startsWith("isolab/")) {
                    continue; // isolab's own files go there
                }
                names.add(e.name);
                CpioArchiveEntry entry = entry(e.name, e.mode, e.size, inode++);
                entry.setUID(e.uid);
                entry.setGID(e.gid);
                entry.setTime(e.mtime);
                entry.setRemoteDeviceMaj(e.rdevMajor);
                entry.setRemoteDeviceMin(e.rdevMinor);
                cpio.putArchiveEntry(entry);
                if (e.link != null) {
                    cpio.write(e.link.getBytes(StandardCharsets.UTF_8));
                } else if ((e.mode & CpioConstants.S_IFMT) == CpioConstants.C_ISREG) {
                    try (InputStream in = Files.newInputStream(e.path)) {
                        if (in.transferTo(cpio) != e.size) {
                            throw new IOException(e.path + " changed while it was packed");
                        }
                    }
                }
                cpio.closeArchiveEntry();
            }
            // Without /dev/console the kernel starts init with fds 0-2 closed.
            if (!names.contains("dev")) {
                putDirectory(cpio, "dev", inode++);
            }
            if (!names.contains("dev/console")) {
                CpioArchiveEntry console = entry("dev/console", CpioConstants.C_ISCHR | 0600, 0, inode++);
                console.setRemoteDeviceMaj(5);
                console.setRemoteDeviceMin(1);
                cpio.putArchiveEntry(console);
                cpio.closeArchiveEntry();
            }
            putDirectory(cpio, "isolab", inode++);
            putFile(cpio, INIT_PATH.substring(1), init, 0755, inode++);
            putDirectory(cpio, "isolab/modules", inode++);
            StringBuilder order = new StringBuilder();
            for (KernelModules.Module m : modules) {
                String name = m.name() + ".ko";
                putFile(cpio, "isolab/modules/" + name, KernelModules.unsigned(m.file()), 0644, inode++);
                order.append(name).append('\n');
            }
            putFile(cpio, "isolab/modules/order", order.toString().getBytes(StandardCharsets.UTF_8), 0644, inode++);
            cpio.finish();
        }
    }

    private static CpioArchiveEntry entry(String name, long mode, long size, long inode) {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, size);
        entry.setMode(mode);
        entry.setInode(inode);
        entry.setNumberOfLinks((mode & CpioConstants.S_IFMT) == CpioConstants.C_ISDIR ? 2 : 1);
        return entry;
    }

    private static void putDirectory(CpioArchiveOutputStream cpio, String name, long inode) throws IOException {
        cpio.putArchiveEntry(entry(name, CpioConstants.C_ISDIR | 0755, 0, inode));
        cpio.closeArchiveEntry();
    }

    private static void putFile(CpioArchiveOutputStream cpio, String name, byte[] bytes, int permissions, long inode)
            throws IOException {
        cpio.putArchiveEntry(entry(name, CpioConstants.C_ISREG | permissions, bytes.length, inode));
        cpio.write(bytes);
        cpio.closeArchiveEntry();
    }
}
