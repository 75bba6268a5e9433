package io.isolab.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The default workload rootfs: the probe at {@link Probe#PATH_IN_ROOTFS}, busybox for a shell when the host
 * has Debian's {@code busybox-static}, and the few files a process expects. Built under the cache directory,
 * named by the hash of its inputs, so it is rebuilt only when they change.
 */
public final class WorkloadRootfs {
    private static final int LAYOUT_VERSION = 1;
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private WorkloadRootfs() {
    }

    /** The rootfs directory, built if missing or stale. */
    public static Path ensure(Path cacheDir) {
        byte[] probe = Probe.bytes();
        byte[] busybox = readIfPresent(BUSYBOX);
        String key = Probe.sha256(concat(probe, busybox, ("layout-" + LAYOUT_VERSION).getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
        Path dir = cacheDir.resolve("rootfs").resolve("workload-" + key);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = Files.createTempDirectory(dir.getParent(), ".building-");
            build(tmp, probe, busybox);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException concurrent) {
                deleteTree(tmp);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the workload rootfs under " + dir.getParent(), e);
        }
    }

    private static void build(Path root, byte[] probe, byte[] busybox) throws IOException {
        for (String d : new String[] {"usr/bin", "bin", "sbin", "etc", "tmp", "proc", "sys", "dev", "root", "run", "mnt"}) {
            Files.createDirectories(root.resolve(d));
        }
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        writeExecutable(root.resolve("usr/bin/isolab-probe"), probe);
        if (busybox.length > 0) {
            writeExecutable(root.resolve("bin/busybox"), busybox);
            for (String applet : new String[] {"sh", "ls", "cat", "echo", "env", "id", "ps", "sleep", "true", "false", "mount", "hostname"}) {
                Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
            }
        }
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    }

    private static void writeExecutable(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static byte[] readIfPresent(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
