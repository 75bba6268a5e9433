package io.isolab.backend.hypervisor;

import io.isolab.api.IsolabException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Fetches a guest kernel the Debian way: {@code apt-get download} of a {@code linux-image-*-cloud-amd64-unsigned}
 * package (the cloud flavour boots about twice as fast under TCG as the generic one) and {@code dpkg-deb -x}.
 * Keeps the image and the few modules the guest loads, world-readable, because libvirt's QEMU user reads
 * them: {@code <cacheDir>/hypervisor/kernels/<release>/{vmlinuz,modules/}}.
 */
final class KernelFetcher {
    private static final String SEARCH = "^linux-image-[0-9.]+-[0-9]+-cloud-amd64-unsigned$";

    private final Path cacheDir;
    private final Consumer<String> progress;

    KernelFetcher(Path cacheDir, Consumer<String> progress) {
        this.cacheDir = cacheDir;
        this.progress = progress;
    }

    GuestKernel fetch(String packageName) {
        String pkg = packageName != null ? packageName : newest();
        Path kernels = GuestKernel.kernelsDir(cacheDir);
        try {
            createSearchable(kernels);
            Path work = Files.createTempDirectory(kernels, ".fetch-");
            try {
                progress.accept("guest kernel: apt-get download " + pkg);
                List<String> download = new ArrayList<>(List.of("apt-get"));
                if ("root".equals(System.getProperty("user.name"))) {
                    download.addAll(List.of("-o", "APT::Sandbox::User=root")); // it cannot write into a root-only directory
                }
                download.addAll(List.of("-q", "download", pkg));
                Commands.run(work, download);
                Path deb;
                try (Stream<Path> files = Files.list(work)) {
                    deb = files.filter(p -> p.toString().endsWith(".deb")).findFirst()
                            .orElseThrow(() -> new IsolabException("apt-get download " + pkg + " left no .deb in " + work));
                }
                progress.accept("guest kernel: dpkg-deb -x " + deb.getFileName());
                Path unpacked = work.resolve("x");
                Commands.run(work, List.of("dpkg-deb", "-x", deb.toString(), unpacked.toString()));
                Path moduleRoot;
                try (Stream<Path> releases = Files.list(unpacked.resolve("lib/modules"))) {
                    moduleRoot = releases.findFirst()
                            .orElseThrow(() -> new IsolabException(pkg + " has no lib/modules/<release>"));
                }
                String release = moduleRoot.getFileName().toString();
                Path out = work.resolve(release);
                Files.createDirectories(out.resolve("modules"));
                Files.copy(unpacked.resolve("boot/vmlinuz-" + release), out.resolve("vmlinuz"));
                for (KernelModules.Module m : KernelModules.resolve(moduleRoot, KernelModules.REQUIRED)) {
                    Path target = out.resolve("modules").resolve(moduleRoot.relativize(m.file()).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(m.file(), target);
                }
                for (String index : List.of("modules.builtin", "modules.order")) {
                    if (Files.exists(moduleRoot.resolve(index))) {
                        Files.copy(moduleRoot.resolve(index), out.resolve("modules").resolve(index));
                    }
                }
                makeReadable(out);
                Path target = kernels.resolve(release);
                if (Files.exists(target)) {
                    deleteTree(target);
                }
                Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
                progress.accept("guest kernel: " + release + " in " + target);
                return new GuestKernel(target.resolve("vmlinuz"), target.resolve("modules"), release);
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch the guest kernel into " + kernels, e);
        }
    }

    private String newest() {
        String found = Commands.run(null, List.of("apt-cache", "search", "--names-only", SEARCH));
        return found.lines().map(l -> l.split(" ", 2)[0]).filter(n -> n.startsWith("linux-image-"))
                .max(GuestKernel::compareVersions)
                .orElseThrow(() -> new IsolabException("apt knows no linux-image-*-cloud-amd64-unsigned package"
                        + " (run apt-get update; Debian 12 has them in main)"));
    }

    /** Creates {@code dir} and its missing parents under the cache directory searchable by everyone. */
    private void createSearchable(Path dir) throws IOException {
        for (Path p = cacheDir; ; ) {
            if (!Files.exists(p)) {
                Files.createDirectories(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            if (p.equals(dir)) {
                return;
            }
            p = p.resolve(dir.getName(p.getNameCount()));
        }
    }

    private static void makeReadable(Path tree) throws IOException {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
