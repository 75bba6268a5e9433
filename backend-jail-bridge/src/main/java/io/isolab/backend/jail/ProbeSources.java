package io.isolab.backend.jail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The probe's C sources ({@code workload/src/main/c/*.c, *.h}), packaged by this module's build under
 * {@code io/isolab/backend/jail/probe-src/}, to be built on the FreeBSD host.
 */
final class ProbeSources {
    private static final String DIRECTORY = "probe-src";

    private ProbeSources() {
    }

    /** File name to content, sorted by name. */
    static Map<String, byte[]> load() {
        URL url = ProbeSources.class.getResource(DIRECTORY);
        if (url == null) {
            throw new IllegalStateException("the probe's sources are not packaged (" + DIRECTORY + " next to "
                    + ProbeSources.class.getName() + ")");
        }
        try {
            URI uri = url.toURI();
            if (!uri.getScheme().equals("jar")) {
                return read(Path.of(uri));
            }
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                return read(jar.provider().getPath(uri));
            } catch (FileSystemAlreadyExistsException open) {
                return read(FileSystems.getFileSystem(uri).provider().getPath(uri));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the probe's sources", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A digest of names and contents: the probe on the host is rebuilt when it changes. */
    static String digest(Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            files.forEach((name, content) -> {
                sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(content);
                sha.update((byte) 0);
            });
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, byte[]> read(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path file : entries.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".c") || name.endsWith(".h")) {
                    files.put(name, Files.readAllBytes(file));
                }
            }
        }
        if (files.keySet().stream().noneMatch(n -> n.endsWith(".c"))) {
            throw new IllegalStateException("no C source in " + dir);
        }
        return files;
    }
}
