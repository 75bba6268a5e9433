package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isolab.api.ExitStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuestProtocolTest {

    @Test
    void headersAreLittleEndianWithTheMagicFirst() {
        ByteBuffer h = GuestProtocol.header(GuestProtocol.RUN, 3, 0x010203);
        byte[] bytes = new byte[h.remaining()];
        h.get(bytes);
        assertArrayEquals(new byte[] {0x5b, 0x1a, 16, 3, 0x03, 0x02, 0x01, 0x00}, bytes);
    }

    @Test
    void specsAreTagLengthValueRecordsInOrder() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/bin");
        byte[] spec = GuestProtocol.spec(List.of("/bin/x", "a b"), env, "/tmp", new GuestUser(65534, 65534, List.of(65534)),
                "host", 32, 0.25, true);
        List<String> records = decode(spec);
        assertEquals(List.of("1:/bin/x", "1:a b", "2:PATH=/bin", "3:/tmp", "4:#65534", "5:#65534", "6:#65534", "7:host",
                "8:#32", "10:#25000/100000", "9:"), records);
    }

    @Test
    void exitReportsDecodeWaitStatusesTheWayWaitDoes() {
        assertEquals(ExitStatus.exited(3), GuestProcess.status(0x0300));
        assertEquals(ExitStatus.exited(0), GuestProcess.status(0));
        assertEquals(ExitStatus.killed(11), GuestProcess.status(0x8b)); // SIGSEGV with a core dump
        assertEquals(ExitStatus.killed(9), GuestProcess.status(9));
        ByteBuffer b = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0700).putInt(0).putLong(1).putLong(2).putLong(3).putLong(4).putLong(5).putLong(6).flip();
        GuestProtocol.ExitReport r = GuestProtocol.ExitReport.read(b);
        assertEquals(new GuestProtocol.ExitReport(0x0700, 1, 2, 3, 4, 5, 6), r);
    }

    @Test
    void startFailuresCarryStepAndDetail() {
        byte[] text = "execve\0/no/such: No such file or directory".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2).put(text).flip();
        assertEquals(new GuestProtocol.StartFailure(2, "execve", "/no/such: No such file or directory"),
                GuestProtocol.StartFailure.read(b));
    }

    /** "tag:text" for text records, "tag:#n" for numbers (the tags the guest reads as uint32), "#q/p" for cpu.max. */
    private static List<String> decode(byte[] spec) {
        ByteBuffer b = ByteBuffer.wrap(spec).order(ByteOrder.LITTLE_ENDIAN);
        List<String> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int tag = b.get();
            byte[] value = new byte[b.getInt()];
            b.get(value);
            ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            boolean number = tag == 4 || tag == 5 || tag == 6 || tag == 8;
            out.add(tag + ":" + (tag == 10 ? "#" + v.getInt() + "/" + v.getInt()
                    : number ? "#" + v.getInt() : new String(value, StandardCharsets.UTF_8)));
        }
        return out;
    }
}
