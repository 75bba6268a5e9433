package io.isolab.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Loads {@code libisolab-launcher.so} the way Netty loads its epoll library: the build packages it in
 * the jar under {@code META-INF/native/linux-x86_64/}; at first use it is extracted to a private
 * directory under a content-addressed name (so that concurrent JVMs and plugins agree on it and a stale
 * copy is never used) and bound with JNA. Once per class loader.
 */
public final class NativeLibrary {
    static final String RESOURCE = "/META-INF/native/linux-x86_64/libisolab-launcher.so";
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private static Path loaded;
    private static RuntimeException failure;

    private NativeLibrary() {
    }

    /**
     * Loads the library, extracting it under {@code cacheDir/native} (a 0700 directory), or, when
     * {@code cacheDir} is {@code null}, into a 0700 temporary directory {@code isolab-*} that is removed
     * as soon as the library is mapped.
     *
     * @throws LauncherUnavailableException saying why it cannot be loaded here
     */
    public static synchronized void load(Path cacheDir) {
        if (loaded != null) {
            return;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            checkPlatform();
            byte[] bytes = packaged();
            if (cacheDir == null) {
                Path dir = Files.createTempDirectory("isolab-", PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
                Path file = extract(bytes, dir);
                try {
                    LauncherNative.register(file);
                } finally {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(dir);
                }
                loaded = file;
            } else {
                Path file = extract(bytes, privateDir(cacheDir.resolve("native")));
                LauncherNative.register(file);
                loaded = file;
            }
        } catch (IOException | UncheckedIOException | LinkageError | IllegalStateException e) {
            failure = new LauncherUnavailableException("cannot load the native launcher: " + e.getMessage(), e);
            throw failure;
        }
    }

    /** Where the library was loaded from, or {@code null} before {@link #load}. */
    public static synchronized Path path() {
        return loaded;
    }

    private static void checkPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("it is built for linux-x86_64, this is " + os + "-" + arch);
        }
    }

    private static byte[] packaged() throws IOException {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not in the launcher jar (was it built with gcc?)");
            }
            return in.readAllBytes();
        }
    }

    private static Path privateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            } catch (java.nio.file.FileAlreadyExistsException concurrent) {
                // another JVM made it
            }
        }
        // A library others can replace would run their code in this JVM: refuse anything not private.
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)
                || !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"))) {
            throw new IllegalStateException(dir + " is writable by others or not owned by "
                    + System.getProperty("user.name"));
        }
        return dir;
    }

    private static Path extract(byte[] bytes, Path dir) throws IOException {
        String hash = sha256(bytes);
        Path file = dir.resolve("libisolab-launcher-" + hash.substring(0, 16) + ".so");
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && sha256(Files.readAllBytes(file)).equals(hash)) {
            return file;
        }
        Path tmp = Files.createTempFile(dir, ".libisolab-launcher", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
