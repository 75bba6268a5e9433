package io.isolab.backend.hypervisor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The guest drivers isolab's init loads, found in a kernel's module tree and put in dependency order.
 * Debian's kernel packages ship no {@code modules.dep}; each module's own {@code .modinfo} section names
 * what it depends on, which is all {@code modprobe} would use.
 */
final class KernelModules {
    /** PCI virtio transport and the virtio console, whose serial ports carry isolab's channel. */
    static final List<String> REQUIRED = List.of("virtio_pci", "virtio_console");

    private static final byte[] DEPENDS = "\0depends=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIGNATURE_MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    /** struct module_signature: 12 bytes, its last 4 the signature length (big-endian). */
    private static final int SIGNATURE_INFO = 12;

    private KernelModules() {
    }

    /** A module that must be loaded, in order. */
    record Module(String name, Path file) {
    }

    /**
     * The modules to load, dependencies first, leaving out those built into the kernel.
     *
     * @param dir the kernel's module tree ({@code lib/modules/<release>} or a copy of its relevant part)
     * @throws MissingModuleException when a module is neither in the tree nor built in
     */
    static List<Module> resolve(Path dir, List<String> names) {
        Set<String> builtin = builtin(dir);
        Map<String, Path> index = index(dir);
        LinkedHashSet<Module> order = new LinkedHashSet<>();
        Set<String> visiting = new HashSet<>();
        for (String name : names) {
            visit(normalize(name), builtin, index, visiting, order);
        }
        return new ArrayList<>(order);
    }

    private static void visit(String name, Set<String> builtin, Map<String, Path> index, Set<String> visiting,
                              LinkedHashSet<Module> order) {
        if (builtin.contains(name) || order.stream().anyMatch(m -> m.name().equals(name)) || !visiting.add(name)) {
            return;
        }
        Path file = index.get(name);
        if (file == null) {
            throw new MissingModuleException(name);
        }
        for (String dependency : depends(file)) {
            visit(dependency, builtin, index, visiting, order);
        }
        order.add(new Module(name, file));
    }

    /** The module's bytes without the appended signature: the guest kernel then skips an RSA check per module. */
    static byte[] unsigned(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int end = bytes.length - SIGNATURE_MAGIC.length;
            if (end < SIGNATURE_INFO || !Arrays.equals(bytes, end, bytes.length, SIGNATURE_MAGIC, 0, SIGNATURE_MAGIC.length)) {
                return bytes;
            }
            int at = end - 4;
            long signature = ((bytes[at] & 0xffL) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                    | (bytes[at + 3] & 0xff);
            long keep = end - SIGNATURE_INFO - signature;
            return keep > 0 ? Arrays.copyOf(bytes, (int) keep) : bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel module " + file, e);
        }
    }

    static List<String> depends(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel module " + file, e);
        }
        for (int i = 0; i + DEPENDS.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + DEPENDS.length, DEPENDS, 0, DEPENDS.length)) {
                int start = i + DEPENDS.length;
                int end = start;
                while (end < bytes.length && bytes[end] != 0) {
                    end++;
                }
                String list = new String(bytes, start, end - start, StandardCharsets.US_ASCII);
                return Arrays.stream(list.split(",")).filter(s -> !s.isEmpty()).map(KernelModules::normalize).toList();
            }
        }
        return List.of();
    }

    private static Set<String> builtin(Path dir) {
        Path file = dir.resolve("modules.builtin");
        if (!Files.isRegularFile(file)) {
            return Set.of();
        }
        try (Stream<String> lines = Files.lines(file)) {
            Set<String> names = new HashSet<>();
            lines.map(l -> l.substring(l.lastIndexOf('/') + 1)).filter(n -> n.endsWith(".ko"))
                    .forEach(n -> names.add(normalize(n.substring(0, n.length() - 3))));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Map<String, Path> index(Path dir) {
        Map<String, Path> index = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return index;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".ko")).sorted().forEach(p -> {
                String file = p.getFileName().toString();
                index.putIfAbsent(normalize(file.substring(0, file.length() - 3)), p);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list kernel modules under " + dir, e);
        }
        return index;
    }

    private static String normalize(String name) {
        return name.replace('-', '_');
    }

    /** A required driver that the kernel neither has built in nor ships as an (uncompressed) module. */
    static final class MissingModuleException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String module;

        MissingModuleException(String module) {
            super("kernel module " + module + " is neither built in nor found as " + module + ".ko");
            this.module = module;
        }

        String module() {
            return module;
        }
    }
}
