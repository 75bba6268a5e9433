package io.isolab.backend.hypervisor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The wire protocol between isolab and its guest init, over one virtio-serial port: the Java mirror of
 * {@code src/main/c/protocol.h}; change both together.
 *
 * <p>Every byte on the port belongs to a frame: an 8-byte little-endian header (magic, type, process
 * slot, payload length) and at most {@link #MAX_PAYLOAD} bytes of payload. Workload output only travels
 * inside STDOUT/STDERR payloads, so nothing a workload prints can be read as a header.
 */
final class GuestProtocol {
    static final int MAGIC = 0x1a5b;
    static final int HEADER = 8;
    static final int MAX_PAYLOAD = 65536;
    /** The virtio-serial port's name, which the guest looks for in {@code /sys/class/virtio-ports}. */
    static final String PORT_NAME = "io.isolab.0";
    /** Process slots: 0 is the main process, the rest are for {@code exec}. */
    static final int MAX_PROCESSES = 64;

    // guest to host
    static final int HELLO = 1;
    static final int STARTED = 2;
    static final int START_FAILED = 3;
    static final int STDOUT = 4;
    static final int STDERR = 5;
    static final int EXIT = 6;
    static final int STATS = 7;
    static final int LOG = 8;
    // host to guest
    static final int RUN = 16;
    static final int EXEC = 17;
    static final int KILL = 18;
    static final int STATS_REQUEST = 19;
    static final int POWER_OFF = 20;

    private static final int TAG_ARG = 1;
    private static final int TAG_ENV = 2;
    private static final int TAG_CWD = 3;
    private static final int TAG_UID = 4;
    private static final int TAG_GID = 5;
    private static final int TAG_GROUP = 6;
    private static final int TAG_HOSTNAME = 7;
    private static final int TAG_PIDS_MAX = 8;
    private static final int TAG_READ_ONLY_ROOT = 9;
    private static final int TAG_CPU_MAX = 10;
    /** cpu.max's period, the kernel's default CFS bandwidth period. */
    static final int CPU_PERIOD_MICROS = 100_000;

    private GuestProtocol() {
    }

    /** One frame as read from the port; the payload is little-endian. */
    record Frame(int type, int proc, ByteBuffer payload) {
    }

    static ByteBuffer header(int type, int proc, int length) {
        ByteBuffer b = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) MAGIC).put((byte) type).put((byte) proc).putInt(length).flip();
        return b;
    }

    /** An EXEC payload: one more process, in the main process's namespaces and cgroup. */
    static byte[] spec(List<String> argv, Map<String, String> env, String cwd, GuestUser user) {
        return spec(argv, env, cwd, user, null, null, null, false);
    }

    /**
     * A RUN payload. {@code hostname}, the limits and {@code readOnlyRoot} configure the guest and the
     * workload's cgroup in it; {@code cpus} becomes that cgroup's {@code cpu.max}.
     */
    static byte[] spec(List<String> argv, Map<String, String> env, String cwd, GuestUser user, String hostname,
                       Integer pidsMax, Double cpus, boolean readOnlyRoot) {
        Tlv tlv = new Tlv();
        argv.forEach(a -> tlv.text(TAG_ARG, a));
        env.forEach((k, v) -> tlv.text(TAG_ENV, k + "=" + v));
        tlv.text(TAG_CWD, cwd);
        if (user != null) {
            tlv.number(TAG_UID, user.uid());
            tlv.number(TAG_GID, user.gid());
            user.groups().forEach(g -> tlv.number(TAG_GROUP, g));
        }
        if (hostname != null) {
            tlv.text(TAG_HOSTNAME, hostname);
        }
        if (pidsMax != null) {
            tlv.number(TAG_PIDS_MAX, pidsMax);
        }
        if (cpus != null) {
            tlv.put(TAG_CPU_MAX, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) Math.max(1000, Math.round(cpus * CPU_PERIOD_MICROS))).putInt(CPU_PERIOD_MICROS).array());
        }
        if (readOnlyRoot) {
            tlv.put(TAG_READ_ONLY_ROOT, new byte[0]);
        }
        return tlv.bytes();
    }

    static ByteBuffer kill(int signal) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(signal).flip();
        return b;
    }

    /** HELLO: when the guest's init started, had its drivers and was ready (guest clock, ns since its kernel started). */
    record Hello(long initNanos, long modulesNanos, long readyNanos) {
        static Hello read(ByteBuffer b) {
            return new Hello(b.getLong(), b.getLong(), b.getLong());
        }
    }

    /** START_FAILED: the step that failed, errno, and the guest's own wording of it. */
    record StartFailure(int errno, String step, String detail) {
        static StartFailure read(ByteBuffer b) {
            int errno = b.getInt();
            byte[] rest = new byte[b.remaining()];
            b.get(rest);
            String text = new String(rest, StandardCharsets.UTF_8);
            int nul = text.indexOf('\0');
            return nul < 0 ? new StartFailure(errno, "start", text)
                    : new StartFailure(errno, text.substring(0, nul), text.substring(nul + 1));
        }
    }

    /** EXIT: the wait status and the guest kernel's accounting of the process. */
    record ExitReport(int waitStatus, long oomKills, long userNanos, long systemNanos, long maxRssBytes,
                      long memoryPeakBytes, long exitNanos) {
        static ExitReport read(ByteBuffer b) {
            int status = b.getInt();
            b.getInt();
            return new ExitReport(status, b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    /** STATS: the workload cgroup's counters and the guest's memory. */
    record GuestStats(long memoryBytes, long memoryPeakBytes, long pids, long cpuNanos, long oomKills,
                      long guestTotalBytes, long guestAvailableBytes) {
        static GuestStats read(ByteBuffer b) {
            return new GuestStats(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    /** A sequence of tag, length, value records, as the guest's spec parser reads them. */
    private static final class Tlv {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void text(int tag, String value) {
            put(tag, value.getBytes(StandardCharsets.UTF_8));
        }

        void number(int tag, int value) {
            put(tag, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        }

        void put(int tag, byte[] value) {
            out.write(tag);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value.length).array());
            out.writeBytes(value);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
