package io.isolab.workload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A static executable that a module's build compiles and packages as a resource (the probe, the bench's
 * launcher, the hypervisor's TSC helper), extracted under a cache directory by content: its name carries
 * the digest, so every JVM and every version agrees on what a name holds, and only a finished file is ever
 * renamed to it.
 */
public final class PackagedExecutable {
    private PackagedExecutable() {
    }

    /**
     * The resource's bytes.
     *
     * @param builtBy what the build needs to package it, for the message when it is missing
     */
    public static byte[] read(Class<?> owner, String resource, String builtBy) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource.substring(resource.lastIndexOf('/') + 1) + " is not packaged at "
                        + resource + ": " + builtBy);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged " + resource, e);
        }
    }

    /** {@code dir/<name>-<16 hex digits of sha256>}, executable, written when missing. */
    public static Path extract(Path dir, String name, byte[] bytes, String sha256) {
        Path file = dir.resolve(name + "-" + sha256.substring(0, 16));
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                // A concurrent extractor may win the rename; its file has the same bytes, so replacing is harmless.
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + name + " to " + file, e);
        }
    }

    /** SHA-256, hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK must provide SHA-256", e);
        }
    }
}
