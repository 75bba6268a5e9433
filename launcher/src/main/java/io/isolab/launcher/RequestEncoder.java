package io.isolab.launcher;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Writes a {@link LaunchRequest} in the wire format {@code launcher.h} parses. */
final class RequestEncoder {
    private static final int MAGIC = 0x314c5349; // "ISL1"

    // Tags of launcher.h's enum isl_tag.
    private static final int ARG = 1;
    private static final int ENV = 2;
    private static final int CWD = 3;
    private static final int UID = 4;
    private static final int GID = 5;
    private static final int GROUP = 6;
    private static final int RLIMIT = 7;
    private static final int CLONE_FLAGS = 8;
    private static final int HOSTNAME = 9;
    private static final int ROOT_MODE = 10;
    private static final int ROOT_DIR = 11;
    private static final int ROOT_SOURCE = 12;
    private static final int OVL_LOWER = 13;
    private static final int OVL_UPPER = 14;
    private static final int OVL_WORK = 15;
    private static final int ROOT_RDONLY = 16;
    private static final int MOUNT = 17;
    private static final int PROC = 18;
    private static final int DEV = 19;
    private static final int SYSFS = 20;
    private static final int MASK = 21;
    private static final int RO_PATH = 22;
    private static final int CGROUP = 23;
    private static final int UID_MAP = 24;
    private static final int GID_MAP = 25;
    private static final int SETGROUPS_DENY = 26;
    private static final int CAPS = 27;
    private static final int NO_NEW_PRIVS = 28;
    private static final int SETSID = 29;
    private static final int LOOPBACK = 30;
    private static final int JOIN_PID = 31;
    private static final int JOIN_NS = 32;
    private static final int NETNS_FD = 37;
    private static final int KEEP_MNTNS = 38;
    private static final int OVL_MEMORY = 39;
    private static final int PREPARE_ONLY = 40;
    private static final int MNTNS_FD = 41;
    private static final int PARK = 42;
    private static final int STDOUT_FD = 34;
    private static final int STDERR_FD = 35;
    private static final int FD_NULL = -2;

    private static final int ROOT_CHROOT = 1;
    private static final int ROOT_PIVOT = 2;

    /** Little-endian, grown as needed: one buffer per request, not one per record. */
    private ByteBuffer out = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
    /** Encoding a root made ahead: its /proc is the launch's (the pid namespace does not exist yet). */
    private boolean preparing;

    private RequestEncoder() {
    }

    /**
     * @param netnsFd the descriptor of the network namespace made ahead (the request's, or its prepared
     *                root's), taken by the launch, or -1
     * @param mntnsFd the descriptor of the prepared root's mount namespace, taken by the launch, or -1
     */
    static byte[] encode(LaunchRequest r, int netnsFd, int mntnsFd) {
        RequestEncoder e = new RequestEncoder();
        e.room(4).putInt(MAGIC);
        r.argv().forEach(a -> e.string(ARG, a));
        for (Map.Entry<String, String> v : r.env().entrySet()) {
            e.string(ENV, v.getKey() + "=" + v.getValue());
        }
        e.string(CWD, r.cwd());
        if (r.credentials() != null) {
            e.u32(UID, r.credentials().uid());
            e.u32(GID, r.credentials().gid());
            r.credentials().groups().forEach(g -> e.u32(GROUP, g));
        }
        for (Rlimit l : r.rlimits()) {
            e.header(RLIMIT, 24).putInt(l.resource().ordinal()).putInt(0).putLong(l.soft()).putLong(l.hard());
        }
        if (!r.namespaces().isEmpty()) {
            e.u64(CLONE_FLAGS, Namespace.flags(r.namespaces()));
        }
        if (r.hostname() != null) {
            e.string(HOSTNAME, r.hostname());
        }
        e.root(r.root());
        r.cgroups().forEach(c -> e.string(CGROUP, c.toString()));
        if (!r.uidMap().isEmpty()) {
            e.string(UID_MAP, r.uidMap().stream().map(IdMapping::line).collect(Collectors.joining()));
        }
        if (!r.gidMap().isEmpty()) {
            e.string(GID_MAP, r.gidMap().stream().map(IdMapping::line).collect(Collectors.joining()));
        }
        e.flag(SETGROUPS_DENY, r.denySetgroups());
        if (r.capabilities() != null) {
            e.u64(CAPS, LinuxCapability.mask(r.capabilities()));
        }
        e.flag(NO_NEW_PRIVS, r.noNewPrivileges());
        e.flag(SETSID, r.newSession());
        e.flag(LOOPBACK, r.loopbackUp());
        if (r.join() != null) {
            e.u32(JOIN_PID, r.join().pid());
            e.u64(JOIN_NS, Namespace.flags(r.join().namespaces()));
        }
        if (netnsFd >= 0) {
            e.u32(NETNS_FD, netnsFd);
        }
        if (mntnsFd >= 0) {
            e.u32(MNTNS_FD, mntnsFd);
        }
        e.flag(KEEP_MNTNS, r.keepMountNamespace());
        return e.bytes();
    }

    /**
     * A launch that assembles {@code base} in a mount namespace of its own (joined to the network namespace
     * {@code netnsFd}), hands the namespace over and exits: see {@link Launcher#prepareRoot}.
     */
    static byte[] encodePrepare(RootSetup.Pivot base, int netnsFd) {
        RequestEncoder e = new RequestEncoder();
        e.preparing = true;
        e.room(4).putInt(MAGIC);
        e.u64(CLONE_FLAGS, Namespace.flags(List.of(Namespace.MOUNT, Namespace.NET)));
        e.root(base);
        e.u32(NETNS_FD, netnsFd);
        e.flag(KEEP_MNTNS, true);
        e.flag(PREPARE_ONLY, true);
        e.u32(STDOUT_FD, FD_NULL);
        e.u32(STDERR_FD, FD_NULL);
        return e.bytes();
    }

    /**
     * A launch parked before its last steps (see {@link Launcher#park}): its namespaces, the prepared
     * network and root it joins, and what of the root is its own (/proc and what is under it).
     */
    static byte[] encodePark(Set<Namespace> namespaces, RootSetup.Pivot root, int netnsFd, int mntnsFd) {
        RequestEncoder e = new RequestEncoder();
        e.room(4).putInt(MAGIC);
        e.u64(CLONE_FLAGS, Namespace.flags(namespaces));
        e.root(root);
        e.u32(NETNS_FD, netnsFd);
        e.u32(MNTNS_FD, mntnsFd);
        e.flag(PARK, true);
        return e.bytes();
    }

    private void root(RootSetup root) {
        if (root instanceof RootSetup.Chroot c) {
            u32(ROOT_MODE, ROOT_CHROOT);
            string(ROOT_DIR, c.dir().toString());
        } else if (root instanceof RootSetup.Pivot p && p.prepared() != null) {
            // the overlay, /dev, /sys and what is outside /proc are in the prepared mount namespace
            u32(ROOT_MODE, ROOT_PIVOT);
            string(ROOT_DIR, p.mountPoint().toString());
            flag(ROOT_RDONLY, p.readOnly());
            mounts(p);
            flag(PROC, p.proc());
            u32(DEV, p.dev().ordinal());
            p.maskedPaths().stream().filter(RootSetup.Pivot::underProc).forEach(m -> string(MASK, m));
            p.readOnlyPaths().stream().filter(RootSetup.Pivot::underProc).forEach(m -> string(RO_PATH, m));
        } else if (root instanceof RootSetup.Pivot p) {
            u32(ROOT_MODE, ROOT_PIVOT);
            string(ROOT_DIR, p.mountPoint().toString());
            if (p.overlay() != null && p.overlay().inMemory()) {
                string(OVL_LOWER, p.rootfs().toString());
                flag(OVL_MEMORY, true);
            } else if (p.overlay() != null) {
                string(OVL_LOWER, p.rootfs().toString());
                string(OVL_UPPER, p.overlay().upper().toString());
                string(OVL_WORK, p.overlay().work().toString());
            } else {
                string(ROOT_SOURCE, p.rootfs().toString());
            }
            flag(ROOT_RDONLY, p.readOnly());
            mounts(p);
            flag(PROC, p.proc() && !preparing);
            flag(SYSFS, p.sysfs());
            u32(DEV, p.dev().ordinal());
            p.maskedPaths().forEach(m -> string(MASK, m));
            p.readOnlyPaths().forEach(m -> string(RO_PATH, m));
        }
    }

    private void mounts(RootSetup.Pivot p) {
        for (BindMount m : p.mounts()) {
            byte[] source = cstring(m.source().toString());
            byte[] target = cstring(m.target());
            header(MOUNT, 4 + source.length + target.length).putInt(m.readOnly() ? 1 : 0).put(source).put(target);
        }
    }

    private void string(int tag, String value) {
        byte[] bytes = cstring(value);
        header(tag, bytes.length).put(bytes);
    }

    private void u32(int tag, int value) {
        header(tag, 4).putInt(value);
    }

    private void u64(int tag, long value) {
        header(tag, 8).putLong(value);
    }

    private void flag(int tag, boolean set) {
        if (set) {
            header(tag, 0);
        }
    }

    /** Writes a record's header; the caller writes its {@code length} bytes of payload. */
    private ByteBuffer header(int tag, int length) {
        return room(8 + length).putInt(tag).putInt(length);
    }

    private ByteBuffer room(int bytes) {
        if (out.remaining() < bytes) {
            ByteBuffer grown = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes))
                    .order(ByteOrder.LITTLE_ENDIAN);
            out.flip();
            out = grown.put(out);
        }
        return out;
    }

    private byte[] bytes() {
        return Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] cstring(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }
}
