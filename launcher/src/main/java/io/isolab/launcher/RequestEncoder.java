package io.isolab.launcher;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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

    private static final int ROOT_CHROOT = 1;
    private static final int ROOT_PIVOT = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);

    private RequestEncoder() {
    }

    static byte[] encode(LaunchRequest r) {
        RequestEncoder e = new RequestEncoder();
        e.raw(le(4).putInt(MAGIC));
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
            e.record(RLIMIT, le(24).putInt(l.resource().ordinal()).putInt(0).putLong(l.soft()).putLong(l.hard()));
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
        return e.out.toByteArray();
    }

    private void root(RootSetup root) {
        if (root instanceof RootSetup.Chroot c) {
            u32(ROOT_MODE, ROOT_CHROOT);
            string(ROOT_DIR, c.dir().toString());
        } else if (root instanceof RootSetup.Pivot p) {
            u32(ROOT_MODE, ROOT_PIVOT);
            string(ROOT_DIR, p.mountPoint().toString());
            if (p.overlay() != null) {
                string(OVL_LOWER, p.rootfs().toString());
                string(OVL_UPPER, p.overlay().upper().toString());
                string(OVL_WORK, p.overlay().work().toString());
            } else {
                string(ROOT_SOURCE, p.rootfs().toString());
            }
            flag(ROOT_RDONLY, p.readOnly());
            for (BindMount m : p.mounts()) {
                byte[] source = cstring(m.source().toString());
                byte[] target = cstring(m.target());
                record(MOUNT, le(4 + source.length + target.length).putInt(m.readOnly() ? 1 : 0).put(source).put(target));
            }
            flag(PROC, p.proc());
            flag(SYSFS, p.sysfs());
            u32(DEV, p.dev().ordinal());
            p.maskedPaths().forEach(m -> string(MASK, m));
            p.readOnlyPaths().forEach(m -> string(RO_PATH, m));
        }
    }

    private void string(int tag, String value) {
        byte[] bytes = cstring(value);
        record(tag, le(bytes.length).put(bytes));
    }

    private void u32(int tag, int value) {
        record(tag, le(4).putInt(value));
    }

    private void u64(int tag, long value) {
        record(tag, le(8).putLong(value));
    }

    private void flag(int tag, boolean set) {
        if (set) {
            record(tag, le(0));
        }
    }

    private void record(int tag, ByteBuffer payload) {
        raw(le(8).putInt(tag).putInt(payload.capacity()));
        raw(payload);
    }

    private void raw(ByteBuffer b) {
        out.write(b.array(), 0, b.capacity());
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] cstring(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, c, 0, utf8.length);
        return c;
    }
}
