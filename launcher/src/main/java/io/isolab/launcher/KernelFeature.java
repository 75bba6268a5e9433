package io.isolab.launcher;

import java.util.EnumSet;
import java.util.Set;

/** What this kernel offers the launcher, probed once by the native library. */
public enum KernelFeature {
    /** clone3 (5.3): CLONE_INTO_CGROUP on cgroup v2 (5.7), CLONE_NEWTIME at clone time. */
    CLONE3(1),
    /** pidfd_open / pidfds (5.3): race-free kill and wait, one epoll set for every exit. */
    PIDFD(2),
    /** open_tree / move_mount (5.2): bind mounts attached after the pivot. Needed by pivot roots. */
    OPEN_TREE(4),
    /** mount_setattr (5.12): recursive read-only mounts. Needed by pivot roots. */
    MOUNT_SETATTR(8),
    /** close_range (5.9, CLOEXEC flag 5.11); else /proc/self/fd is walked. */
    CLOSE_RANGE(16),
    /** time namespaces (5.6). */
    TIME_NAMESPACE(32);

    private final int bit;

    KernelFeature(int bit) {
        this.bit = bit;
    }

    static Set<KernelFeature> of(int bits) {
        Set<KernelFeature> set = EnumSet.noneOf(KernelFeature.class);
        for (KernelFeature f : values()) {
            if ((bits & f.bit) != 0) {
                set.add(f);
            }
        }
        return set;
    }
}
