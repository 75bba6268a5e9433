package io.isolab.launcher;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** A Linux capability, numbered as in {@code <linux/capability.h>}. */
public enum LinuxCapability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO,
    SYS_CHROOT, SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME,
    SYS_TTY_CONFIG, MKNOD, LEASE, AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG,
    WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ, PERFMON, BPF, CHECKPOINT_RESTORE;

    /**
     * The set Docker and the OCI runtimes' default spec keep for a container; every other capability is
     * dropped, from the bounding set too.
     */
    public static final Set<LinuxCapability> OCI_DEFAULT = Collections.unmodifiableSet(EnumSet.of(
            CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP,
            NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE));

    /** The number the kernel uses. */
    public int number() {
        return ordinal();
    }

    static long mask(Set<LinuxCapability> capabilities) {
        long mask = 0;
        for (LinuxCapability c : capabilities) {
            mask |= 1L << c.number();
        }
        return mask;
    }
}
