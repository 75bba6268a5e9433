package io.isolab.benchmarks.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a raw QEMU boot's console becomes a result: the status line, and the phases its arrival splits. */
class QemuConsoleTest {
    private static final String NONCE = "isolab-qemu-0123456789";
    private static final long MS = 1_000_000;

    /** A console fed line by line at the given host times (ms after t0 = 0). */
    private static QemuTarget.Console console(List<String> lines, List<Long> at) throws InterruptedException {
        QemuTarget.Console c = new QemuTarget.Console(new ByteArrayInputStream(new byte[0]), NONCE);
        c.join();
        for (int i = 0; i < lines.size(); i++) {
            c.line(lines.get(i), at.get(i) * MS);
        }
        return c;
    }

    private static String status(String nonce, int code, int signal, int oomKills) {
        return "isolab-exit " + nonce + " exit code=" + code + " signal=" + signal + " oom_kills=" + oomKills
                + " init_ns=1400000000 ready_ns=1500000000 exec_ns=1540000000 exit_ns=1600000000\r";
    }

    @Test
    void theStatusLineGivesTheExitAndSplitsTheWallTime() throws InterruptedException {
        QemuTarget.Console c = console(List.of("{\"probe\":\"true\"}\r", "", status(NONCE, 0, 0, 0),
                "[    1.612345] reboot: Restarting system\r"), List.of(2050L, 2050L, 2100L, 2110L));
        Execution e = QemuTarget.execution(0, 2200 * MS, 0, false, c, "");
        assertTrue(e.success(), e::failure);
        assertEquals("{\"probe\":\"true\"}\n\n", e.stdout(), "the workload's output, without the status line or what follows");
        Map<String, Long> p = e.phases();
        // guest clock zero = status arrival (2100 ms) - exit_ns (1600 ms) = 500 ms after QEMU's exec
        assertEquals(500 * MS, p.get("boot.before-kernel"));
        assertEquals(1400 * MS, p.get("boot.guest-kernel"));
        assertEquals(100 * MS, p.get("boot.guest-init"));
        assertEquals(2000 * MS, p.get("boot"));
        assertEquals(100 * MS, p.get("workload"));
        assertEquals(2040 * MS, p.get("start"));
        assertEquals(2100 * MS, e.wallNanos(), "launch to the status line: the workload's exit as the host sees it");
        assertEquals(e.wallNanos(), p.get("start") + p.get("run"));
        assertEquals(100 * MS, p.get("destroy"), "QEMU's exit after the status line is its teardown");
    }

    @Test
    void aSignalAndAnOomKillAreTheWorkloads() throws InterruptedException {
        Execution e = QemuTarget.execution(0, 3000 * MS, 0, false,
                console(List.of(status(NONCE, -1, 9, 1)), List.of(2900L)), "");
        assertEquals(137, e.status());
        assertTrue(e.oomKilled());
    }

    @Test
    void aStatusLineWithoutThisBootsNonceIsOutput() throws InterruptedException {
        QemuTarget.Console c = console(List.of(status("isolab-qemu-forged0000", 0, 0, 0), "[    2.0] Kernel panic - not syncing"),
                List.of(1000L, 1001L));
        Execution e = QemuTarget.execution(0, 3000 * MS, 0, false, c, "");
        assertFalse(e.success());
        assertTrue(e.stdout().contains("forged"));
        assertTrue(e.failure().contains("Kernel panic") || e.stderr().contains("Kernel panic"), e.stderr());
        assertTrue(e.stderr().contains("without a status line"), e.stderr());
        assertNull(e.phases().get("boot"));
    }

    @Test
    void aWorkloadThatCannotStartIsSaidSo() throws InterruptedException {
        Execution e = QemuTarget.execution(0, 3000 * MS, 0, false, console(List.of("isolab-exit " + NONCE
                + " failed step=execve errno=2 /nope: No such file or directory"), List.of(2900L)), "");
        assertEquals(127, e.status());
        assertTrue(e.stderr().contains("could not start the workload: step=execve"), e.stderr());
    }
}
