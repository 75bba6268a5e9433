package io.isolab.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

/** A Linux namespace a launch can create or join, with its clone flag and its name under /proc/PID/ns. */
public enum Namespace {
    MOUNT(0x00020000L, "mnt"),
    UTS(0x04000000L, "uts"),
    IPC(0x08000000L, "ipc"),
    USER(0x10000000L, "user"),
    PID(0x20000000L, "pid"),
    NET(0x40000000L, "net"),
    CGROUP(0x02000000L, "cgroup"),
    /** Linux 5.6+. */
    TIME(0x00000080L, "time");

    private final long cloneFlag;
    private final String procName;

    Namespace(long cloneFlag, String procName) {
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** {@code CLONE_NEW...}. */
    public long cloneFlag() {
        return cloneFlag;
    }

    /** Its file under {@code /proc/PID/ns}. */
    public String procName() {
        return procName;
    }

    /** Whether this kernel has the namespace type. */
    public boolean supported() {
        return Files.exists(Path.of("/proc/self/ns", procName));
    }

    static long flags(Iterable<Namespace> namespaces) {
        long flags = 0;
        for (Namespace ns : namespaces) {
            flags |= ns.cloneFlag;
        }
        return flags;
    }
}
