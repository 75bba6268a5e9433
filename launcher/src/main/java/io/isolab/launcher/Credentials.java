package io.isolab.launcher;

import java.util.List;

/**
 * Who the workload runs as: {@code setgroups}, {@code setresgid}, {@code setresuid} in the child, after the
 * root is set up (so names were resolved by the caller, from the rootfs's own files).
 *
 * @param uid    user id
 * @param gid    primary group id
 * @param groups supplementary group ids (empty: none)
 */
public record Credentials(int uid, int gid, List<Integer> groups) {

    public Credentials {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("negative id: " + uid + ":" + gid);
        }
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    public static Credentials of(int uid, int gid) {
        return new Credentials(uid, gid, List.of());
    }
}
