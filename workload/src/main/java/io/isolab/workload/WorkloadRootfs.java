package io.isolab.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default workload rootfs: the probe at {@link Probe#PATH_IN_ROOTFS} (and {@code /isolab-probe}), busybox
 * with a link in {@code /bin} for every applet when the host has a static one (Debian's
 * {@code busybox-static}), the few files a process expects in {@code /etc}, and empty mount points.
 *
 * <p>It is built under {@code cacheDir/rootfs/workload-<hash>}, the hash of its inputs (probe, busybox, layout
 * version), so it is rebuilt exactly when they change. The tree is deterministic (fixed modes, times at the
 * epoch), so two builds from the same inputs are identical and an image made from it is reproducible; only
 * ownership is the builder's. Several JVMs may build at once: each builds in a private temporary directory
 * and renames it into place, and the loser of the rename discards its copy. Older {@code workload-*} trees are
 * left alone: another process may be running in one.
 */
public final class WorkloadRootfs {
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadRootfs.class);

    /** Part of the hash: bump it whenever {@link #build} lays the tree out differently. */
    static final int LAYOUT_VERSION = 2;
    static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    private static final int DIR = 0755;
    private static final int STICKY_DIR = 01777; // world-writable scratch space, as on any Unix
    private static final int EXECUTABLE = 0755;
    private static final int FILE = 0644;
    private static final FileTime TIME = FileTime.fromMillis(0);

    /** Mount points and system directories, all 0755 so that an unprivileged VMM user (qemu) can traverse them. */
    private static final List<String> DIRECTORIES =
            List.of("bin", "dev", "etc", "mnt", "proc", "root", "run", "sys", "tmp", "usr", "usr/bin", "var", "var/tmp");
    private static final List<String> STICKY = List.of("tmp", "var/tmp");
    private static final Map<String, String> ETC = Map.of(
            "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
            "etc/group", "root:x:0:\nnogroup:x:65534:\n",
            "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n");

    private WorkloadRootfs() {
    }

    /** The rootfs directory under {@code cacheDir}, built if missing. */
    public static Path ensure(Path cacheDir) {
        return ensure(cacheDir, Probe.bytes(), HOST_BUSYBOX);
    }

    /** {@link #ensure(Path)} with explicit inputs, for tests. */
    static Path ensure(Path cacheDir, byte[] probe, Path busyboxPath) {
        byte[] busybox = staticBusybox(busyboxPath);
        Path dir = cacheDir.resolve("rootfs").resolve("workload-" + key(probe, busybox));
        if (Files.isDirectory(dir)) {
            return dir; // complete: only a finished tree is ever renamed to this name
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(dir.getParent(), ".building-" + dir.getFileName() + "-");
            build(tmp, probe, busybox, busyboxPath);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            LOG.info("built the workload rootfs {}", dir);
            return dir;
        } catch (IOException e) {
            if (Files.isDirectory(dir)) {
                return dir; // another process renamed its identical tree into place first
            }
            throw new UncheckedIOException("cannot build the workload rootfs " + dir + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** The busybox binary if it exists and is static; null (with a warning) if it cannot run in a bare rootfs. */
    private static byte[] staticBusybox(Path path) {
        if (!Files.isRegularFile(path)) {
            LOG.warn("no {}: the workload rootfs has no shell (install busybox-static for one)", path);
            return null;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        if (!Elf.isStatic(bytes)) {
            LOG.warn("{} is not a static executable, so it cannot run without the host's libraries: the workload "
                    + "rootfs has no shell (install busybox-static for one)", path);
            return null;
        }
        return bytes;
    }

    private static String key(byte[] probe, byte[] busybox) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // Each input length-prefixed, so that no two different input sets hash the same bytes.
            for (byte[] part : new byte[][] {
                    ("isolab-workload-rootfs-" + LAYOUT_VERSION).getBytes(StandardCharsets.UTF_8),
                    probe, busybox == null ? new byte[0] : busybox}) {
                sha.update(HexFormat.of().toHexDigits(part.length).getBytes(StandardCharsets.US_ASCII));
                sha.update(part);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK must provide SHA-256", e);
        }
    }

    private static void build(Path root, byte[] probe, byte[] busybox, Path busyboxPath) throws IOException {
        for (String d : DIRECTORIES) {
            Files.createDirectory(root.resolve(d));
        }
        write(root.resolve(Probe.PATH_IN_ROOTFS.substring(1)), probe, EXECUTABLE);
        Files.createSymbolicLink(root.resolve("isolab-probe"), Path.of(Probe.PATH_IN_ROOTFS.substring(1)));
        if (busybox != null) {
            Path bin = root.resolve("bin");
            write(bin.resolve("busybox"), busybox, EXECUTABLE);
            for (String applet : applets(busyboxPath)) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        for (Map.Entry<String, String> e : ETC.entrySet()) {
            write(root.resolve(e.getKey()), e.getValue().getBytes(StandardCharsets.UTF_8), FILE);
        }
        normalise(root);
    }

    /**
     * The applets {@code busybox --list} names, sorted. It runs the host's busybox, not the copy just written:
     * in a JVM, another thread's fork can inherit the copy's write descriptor for a moment, and exec of a file
     * open for writing fails with ETXTBSY.
     */
    private static TreeSet<String> applets(Path busybox) throws IOException {
        Process p = new ProcessBuilder(busybox.toString(), "--list").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // EOF: it has finished
        try {
            if (p.waitFor() != 0) {
                throw new IOException(busybox + " --list exited " + p.exitValue());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + busybox + " --list", e);
        }
        TreeSet<String> applets = new TreeSet<>();
        for (String name : out.lines().map(String::strip).toList()) {
            // Names become file names in /bin: nothing that could leave it or replace busybox itself.
            if (!name.isEmpty() && !name.contains("/") && !name.equals(".") && !name.equals("..")
                    && !name.equals("busybox")) {
                applets.add(name);
            }
        }
        if (applets.isEmpty()) {
            throw new IOException(busybox + " --list named no applets");
        }
        return applets;
    }

    private static void write(Path file, byte[] bytes, int mode) throws IOException {
        Files.write(file, bytes);
        Files.setAttribute(file, "unix:mode", mode);
    }

    /** Fixed directory modes (whatever the umask) and times, the same on every build. */
    private static void normalise(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> paths = Files.walk(root)) {
            all = paths.toList();
        }
        for (Path p : all) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                boolean sticky = STICKY.contains(root.relativize(p).toString());
                Files.setAttribute(p, "unix:mode", sticky ? STICKY_DIR : DIR);
            }
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(TIME, TIME, null);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the unfinished rootfs {}: {}", dir, e.toString());
        }
    }
}
