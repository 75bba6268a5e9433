package io.isolab.backend.hypervisor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The guest's kernel image and its module tree.
 *
 * @param image   the bzImage QEMU boots directly
 * @param modules a directory holding the kernel's modules, or {@code null} when its drivers are built in
 * @param release the kernel release, e.g. {@code 6.1.0-50-cloud-amd64}, or the image's file name
 */
record GuestKernel(Path image, Path modules, String release) {

    /** Where {@code setup} puts the kernels it fetches: {@code <cacheDir>/hypervisor/kernels/<release>/}. */
    static Path kernelsDir(Path cacheDir) {
        return cacheDir.resolve("hypervisor").resolve("kernels");
    }

    /** The configured kernel, else the newest fetched one. */
    static Optional<GuestKernel> locate(HypervisorSettings settings, Path cacheDir) {
        if (settings.kernel() != null) {
            return Files.isRegularFile(settings.kernel())
                    ? Optional.of(new GuestKernel(settings.kernel(), settings.modules(), settings.kernel().getFileName().toString()))
                    : Optional.empty();
        }
        Path dir = kernelsDir(cacheDir);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> releases = Files.list(dir)) {
            return releases.filter(d -> Files.isRegularFile(d.resolve("vmlinuz")))
                    .max(Comparator.comparing(d -> d.getFileName().toString(), GuestKernel::compareVersions))
                    .map(d -> new GuestKernel(d.resolve("vmlinuz"), d.resolve("modules"), d.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static final Pattern PART = Pattern.compile("\\d+|\\D+");

    /** Orders {@code 6.1.0-9-...} before {@code 6.1.0-50-...}: numbers as numbers, the rest as text. */
    static int compareVersions(String a, String b) {
        Matcher ma = PART.matcher(a);
        Matcher mb = PART.matcher(b);
        while (ma.find() && mb.find()) {
            String pa = ma.group();
            String pb = mb.group();
            int c = Character.isDigit(pa.charAt(0)) && Character.isDigit(pb.charAt(0))
                    ? Long.compare(Long.parseLong(pa), Long.parseLong(pb)) : pa.compareTo(pb);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
