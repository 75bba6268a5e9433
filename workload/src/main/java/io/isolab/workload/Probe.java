package io.isolab.workload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The static {@code isolab-probe} binary that this module's build compiles and packages, and its C sources
 * for backends that compile it themselves: in a FreeBSD jail, write {@link #sources()} to a directory and run
 * {@code make OUT=. CC=cc} there, or {@code cc -O2 -std=gnu11 -ffp-contract=off -static -o isolab-probe *.c}.
 */
public final class Probe {
    /** Where the probe is inside every workload rootfs. */
    public static final String PATH_IN_ROOTFS = "/usr/bin/isolab-probe";
    private static final String BINARY = "/META-INF/native/linux-x86_64/isolab-probe";
    private static final String SOURCES = "/META-INF/isolab-probe-src/";

    private Probe() {
    }

    /** The probe's bytes, as packaged (a copy: callers may not change the shared one). */
    public static byte[] bytes() {
        return Packaged.get().bytes().clone();
    }

    /** The SHA-256 of {@link #bytes()}, hex. */
    public static String sha256() {
        return Packaged.get().sha256();
    }

    /** The probe extracted under {@code cacheDir} (content-addressed, so concurrent users agree), executable. */
    public static Path binary(Path cacheDir) {
        Packaged probe = Packaged.get();
        Path file = cacheDir.resolve("probe").resolve("isolab-probe-" + probe.sha256().substring(0, 16));
        if (Files.isRegularFile(file)) {
            return file; // complete: only a finished file is ever renamed to this name
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".isolab-probe", ".tmp");
            try {
                Files.write(tmp, probe.bytes());
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                // A concurrent extractor may win the rename; its file has the same bytes, so replacing is harmless.
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the probe to " + file, e);
        }
    }

    /** The probe's C sources and Makefile by file name, in build order, as packaged. */
    public static Map<String, String> sources() {
        Map<String, String> sources = new LinkedHashMap<>();
        for (String name : resource(SOURCES + "SOURCES").lines().filter(l -> !l.isBlank()).toList()) {
            sources.put(name, resource(SOURCES + name));
        }
        return sources;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK must provide SHA-256", e);
        }
    }

    private static byte[] read(String name) {
        try (InputStream in = Probe.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("isolab-probe is not packaged at " + name
                        + ": was the workload module built (it needs make and gcc)?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged " + name, e);
        }
    }

    private static String resource(String name) {
        return new String(read(name), StandardCharsets.UTF_8);
    }

    /** The binary and its hash, read once on first use: it is ~0.7 MB and every rootfs check needs its hash. */
    private record Packaged(byte[] bytes, String sha256) {
        private static Packaged loaded;

        // Not a holder class: a failed load (module built without gcc) must fail each call with its message,
        // not once with ExceptionInInitializerError and then with NoClassDefFoundError.
        static synchronized Packaged get() {
            if (loaded == null) {
                byte[] bytes = read(BINARY);
                loaded = new Packaged(bytes, Probe.sha256(bytes));
            }
            return loaded;
        }
    }
}
