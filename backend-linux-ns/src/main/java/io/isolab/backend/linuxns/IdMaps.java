package io.isolab.backend.linuxns;

import io.isolab.launcher.IdMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The uid and gid maps of a sandbox's user namespace, written by the launcher's parent while the child
 * waits.
 *
 * @param uids          uid_map lines
 * @param gids          gid_map lines
 * @param denySetgroups rootless: an unprivileged process may write a gid map only after denying setgroups
 * @param rootUid       the host uid of root inside
 * @param rootGid       the host gid of root inside
 * @param rootless      isolab is not root: only its own ids are mapped
 */
record IdMaps(List<IdMapping> uids, List<IdMapping> gids, boolean denySetgroups, long rootUid, long rootGid,
              boolean rootless) {

    private static final long ALL_IDS = 4_294_967_295L;
    private static final long MAPPED_COUNT = 65_536;
    private static final long DEFAULT_BASE = 100_000;

    static IdMaps forHost(UserNamespaceMode mode, long euid, long egid) {
        return forHost(mode, euid, egid, Path.of("/etc/subuid"), Path.of("/etc/subgid"));
    }

    static IdMaps forHost(UserNamespaceMode mode, long euid, long egid, Path subuid, Path subgid) {
        if (euid != 0) {
            return new IdMaps(List.of(new IdMapping(0, euid, 1)), List.of(new IdMapping(0, egid, 1)), true, euid, egid, true);
        }
        if (mode == UserNamespaceMode.IDENTITY) {
            List<IdMapping> all = List.of(new IdMapping(0, 0, ALL_IDS));
            return new IdMaps(all, all, false, 0, 0, false);
        }
        long uidBase = subordinateBase(subuid);
        long gidBase = subordinateBase(subgid);
        return new IdMaps(List.of(new IdMapping(0, uidBase, MAPPED_COUNT)), List.of(new IdMapping(0, gidBase, MAPPED_COUNT)),
                false, uidBase, gidBase, false);
    }

    /** Whether {@code uid} inside the namespace is mapped: a process.user must be. */
    boolean mapsUid(long uid) {
        return uids.stream().anyMatch(m -> uid >= m.inside() && uid < m.inside() + m.count());
    }

    /** Root's first subordinate id with at least 65536 of them ({@code root:100000:65536}), else 100000. */
    private static long subordinateBase(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split(":");
                if (f.length == 3 && (f[0].equals("root") || f[0].equals("0")) && Long.parseLong(f[2]) >= MAPPED_COUNT) {
                    return Long.parseLong(f[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no usable range: the conventional first one
        }
        return DEFAULT_BASE;
    }
}
