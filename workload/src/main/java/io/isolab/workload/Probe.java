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

/** The static {@code isolab-probe} binary that this module's build compiles and packages. */
public final class Probe {
    /** Where the probe is inside every workload rootfs. */
    public static final String PATH_IN_ROOTFS = "/usr/bin/isolab-probe";
    private static final String RESOURCE = "/META-INF/native/linux-x86_64/isolab-probe";

    private Probe() {
    }

    /** The probe's bytes, as packaged. */
    public static byte[] bytes() {
        try (InputStream in = Probe.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("isolab-probe is not packaged at " + RESOURCE
                        + ": was the workload module built with gcc?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The probe extracted under {@code cacheDir} (content-addressed, so concurrent users agree), executable. */
    public static Path binary(Path cacheDir) {
        byte[] bytes = bytes();
        Path file = cacheDir.resolve("probe").resolve("isolab-probe-" + sha256(bytes).substring(0, 16));
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".isolab-probe", ".tmp");
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the probe to " + file, e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
