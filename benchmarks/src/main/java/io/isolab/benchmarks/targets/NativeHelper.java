package io.isolab.benchmarks.targets;

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
 * {@code isolab-bench-launch}, this module's static C helper (the floor launcher and crun's cgroup2 hider),
 * extracted from the jar under the cache directory, content-addressed as the probe is.
 */
public final class NativeHelper {
    private static final String RESOURCE = "/META-INF/native/linux-x86_64/isolab-bench-launch";

    private NativeHelper() {
    }

    public static Path binary(Path cacheDir) {
        byte[] bytes;
        try (InputStream in = NativeHelper.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("isolab-bench-launch is not packaged at " + RESOURCE
                        + ": was the benchmarks module built with gcc?");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = cacheDir.resolve("bench").resolve("isolab-bench-launch-" + sha256(bytes).substring(0, 16));
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".isolab-bench-launch", ".tmp");
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract isolab-bench-launch to " + file, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
