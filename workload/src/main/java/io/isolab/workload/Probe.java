package io.isolab.workload;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        return PackagedExecutable.extract(cacheDir.resolve("probe"), "isolab-probe", probe.bytes(), probe.sha256());
    }

    /** The probe's C sources and Makefile by file name, in build order, as packaged. */
    public static Map<String, String> sources() {
        Map<String, String> sources = new LinkedHashMap<>();
        for (String name : resource(SOURCES + "SOURCES").lines().filter(l -> !l.isBlank()).toList()) {
            sources.put(name, resource(SOURCES + name));
        }
        return sources;
    }

    private static byte[] read(String name) {
        return PackagedExecutable.read(Probe.class, name, "was the workload module built (it needs make and gcc)?");
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
                loaded = new Packaged(bytes, PackagedExecutable.sha256(bytes));
            }
            return loaded;
        }
    }
}
