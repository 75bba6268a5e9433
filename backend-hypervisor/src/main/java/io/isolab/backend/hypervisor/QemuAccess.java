package io.isolab.backend.hypervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether libvirt's unprivileged QEMU user can reach a file: QEMU opens the kernel, the initramfs and the
 * channel socket itself, and a directory it cannot search on the way fails the domain with a bare
 * "Permission denied". Checked up front so the reason names the directory.
 */
final class QemuAccess {
    private static final int SEARCH = 1;
    private static final int READ = 4;

    private QemuAccess() {
    }

    /** Why the QEMU user cannot read {@code file}, or empty when it can. */
    static Optional<String> cannotRead(Path file, LibvirtCapabilities.DacLabel user) {
        return check(file, user, READ);
    }

    /** Why the QEMU user cannot reach into {@code dir}, or empty when it can. */
    static Optional<String> cannotSearch(Path dir, LibvirtCapabilities.DacLabel user) {
        return check(dir, user, SEARCH);
    }

    private static Optional<String> check(Path target, LibvirtCapabilities.DacLabel user, int need) {
        if (user.uid() == 0) {
            return Optional.empty();
        }
        List<Path> chain = new ArrayList<>();
        for (Path p = target.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            chain.add(0, p);
        }
        try {
            for (Path p : chain) {
                if (!Files.exists(p)) {
                    return Optional.empty(); // created later by isolab, with the right modes
                }
                boolean last = p.equals(chain.get(chain.size() - 1));
                int bits = last ? need : SEARCH;
                if (!allowed(p, user, bits)) {
                    return Optional.of("libvirt's QEMU user (uid " + user.uid() + ") cannot " + (bits == READ ? "read " : "search ")
                            + p + " (fix: chmod o+" + (bits == READ ? "r " : "x ") + p + ")");
                }
            }
        } catch (IOException e) {
            return Optional.of("cannot check access to " + target + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    private static boolean allowed(Path p, LibvirtCapabilities.DacLabel user, int bits) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int shift = (Integer) a.get("uid") == user.uid() ? 6 : (Integer) a.get("gid") == user.gid() ? 3 : 0;
        return ((mode >> shift) & bits) == bits;
    }
}
