package io.isolab.benchmarks.matrix;

import io.isolab.api.Capability;
import java.util.List;
import java.util.Set;

/**
 * A column of the isolation matrix: something measured from inside the sandbox, and the capabilities whose
 * declaration promises it.
 */
public enum Property {
    FILESYSTEM_ROOT("fs root", "the root listing differs from the host's", List.of(Capability.FILESYSTEM_ROOT)),
    PID("pid", "pid namespace differs (or a separate kernel)", List.of(Capability.PID_ISOLATION)),
    NET("net", "net namespace differs (or a separate kernel)", List.of(Capability.NETWORK_ISOLATION)),
    IPC("ipc", "ipc namespace differs (or a separate kernel)", List.of(Capability.IPC_ISOLATION)),
    UTS("uts", "uts namespace differs (or a separate kernel)", List.of(Capability.UTS_ISOLATION)),
    USER("user", "user namespace differs (or a separate kernel)", List.of(Capability.USER_ISOLATION)),
    CGROUP("cgroup", "cgroup namespace differs (or a separate kernel)", List.of(Capability.CGROUP_ISOLATION)),
    KERNEL("kernel", "boot id differs: another kernel", List.of(Capability.SEPARATE_KERNEL)),
    MARKER_HIDDEN("marker hidden", "a file that exists only on the host is invisible", List.of(Capability.FILESYSTEM_ROOT)),
    MEMORY_LIMIT("mem limit", "alloc past --memory is stopped", List.of(Capability.MEMORY_LIMIT)),
    PIDS_LIMIT("pids limit", "a fork bomb stops at --pids", List.of(Capability.PIDS_LIMIT)),
    ESCAPE_BLOCKED("no chroot escape", "the classic chroot escape does not reach the host root",
            List.of(Capability.MOUNT_ISOLATION, Capability.SEPARATE_KERNEL));

    private final String label;
    private final String meaning;
    private final List<Capability> promisedBy;

    Property(String label, String meaning, List<Capability> promisedBy) {
        this.label = label;
        this.meaning = meaning;
        this.promisedBy = promisedBy;
    }

    public String label() {
        return label;
    }

    public String meaning() {
        return meaning;
    }

    /** Whether a target declaring {@code declared} promises this property. */
    public boolean promised(Set<Capability> declared) {
        return promisedBy.stream().anyMatch(declared::contains);
    }
}
