package io.isolab.workload;

import static io.isolab.workload.ProbeRunner.concat;
import static io.isolab.workload.ProbeRunner.jsonLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The probe's contract, checked by running the real static binary natively on this host: exit codes,
 * signals, streams, JSON lines, and what inspect reports against what the JVM itself sees.
 */
class ProbeTest {
    private static Path work;
    private static Path probe;
    private static ProbeRunner runner;

    @BeforeAll
    static void extract() throws IOException {
        work = Files.createTempDirectory("isolab-test-");
        Files.setAttribute(work, "unix:mode", 0755); // tests run the probe as nobody too
        probe = Probe.binary(work.resolve("cache"));
        runner = new ProbeRunner(work);
    }

    @AfterAll
    static void cleanUp() {
        ProbeRunner.deleteTree(work);
    }

    private static ProbeRunner.Result run(String... args) {
        return runner.exec(concat(List.of(probe.toString()), args), null);
    }

    // ---------------------------------------------------------------- exit paths

    @Test
    void trueExitsZeroSilently() {
        ProbeRunner.Result r = run("true");
        assertEquals(0, r.exit(), r::describe);
        assertEquals("", r.stdout());
        assertEquals("", r.stderr());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 42, 255})
    void exitPassesTheCodeThrough(int code) {
        assertEquals(code, run("exit", String.valueOf(code)).exit());
    }

    @Test
    void segvDiesByTheSignal() {
        ProbeRunner.Result r = run("segv");
        // The JDK reports a process killed by signal N as 128 + N.
        assertEquals(128 + 11, r.exit(), r::describe);
        assertEquals("", r.stderr(), "a fault kills before any message");
    }

    @Test
    void usageErrorsExit2WithTheUsageLine() {
        Map<List<String>, String> cases = Map.of(
                List.of(), "usage: isolab-probe COMMAND",
                List.of("no-such-command"), "unknown command 'no-such-command'",
                List.of("exit"), "usage: isolab-probe exit N",
                List.of("exit", "256"), "usage: isolab-probe exit N",
                List.of("sleep", "-5"), "usage: isolab-probe sleep MS",
                List.of("cpu", "12x"), "usage: isolab-probe cpu N",
                List.of("alloc", "1", "--hold"), "usage: isolab-probe alloc MB [--hold MS]",
                List.of("inspect", "--bogus"), "usage: isolab-probe inspect [--marker PATH]",
                List.of("true", "extra"), "usage: isolab-probe true\n");
        cases.forEach((args, expected) -> {
            ProbeRunner.Result r = run(args.toArray(String[]::new));
            assertEquals(2, r.exit(), () -> args + ": " + r.describe());
            assertTrue(r.stderr().contains(expected), () -> args + ": " + r.describe());
            assertEquals("", r.stdout(), args::toString);
        });
    }

    @Test
    void runtimeFailuresNameCommandStepAndError() {
        ProbeRunner.Result r = run("read-file", "/no/such/isolab-file");
        assertEquals(1, r.exit(), r::describe);
        assertEquals("isolab-probe: read-file: open /no/such/isolab-file: No such file or directory\n", r.stderr());
    }

    // ---------------------------------------------------------------- streams, environment, directory

    @Test
    void printKeepsStdoutAndStderrApart() {
        ProbeRunner.Result r = run("print", "to stdout", "to stderr");
        assertEquals(0, r.exit(), r::describe);
        assertEquals("to stdout\n", r.stdout());
        assertEquals("to stderr\n", r.stderr());
    }

    @Test
    void envPrintsExactlyTheEnvironment() {
        // env(1) fixes the order, so the probe's "environ order" can be checked too.
        ProbeRunner.Result r = runner.exec(List.of("/usr/bin/env", "-i", "ISOLAB_B=x=y", "ISOLAB_A=one two", "EMPTY=",
                probe.toString(), "env"), null);
        assertEquals(0, r.exit(), r::describe);
        assertEquals("ISOLAB_B=x=y\nISOLAB_A=one two\nEMPTY=\n", r.stdout());
    }

    @Test
    void pwdPrintsTheWorkingDirectory() throws IOException {
        Path dir = Files.createDirectories(work.resolve("some dir"));
        ProbeRunner.Result r = runner.exec(List.of(probe.toString(), "pwd"), dir);
        assertEquals(dir.toRealPath() + "\n", r.stdout(), r::describe);
    }

    @Test
    void floodWritesExactlyMbMibOfLines() {
        ProbeRunner.Result r = run("flood", "8");
        assertEquals(0, r.exit(), r::describe);
        assertEquals(8L << 20, r.stdoutBytes().length);
        List<String> lines = r.stdout().lines().toList();
        assertEquals((8 << 20) / 64, lines.size());
        assertTrue(lines.stream().allMatch(l -> l.length() == 63 && l.chars().allMatch(c -> c == 'x')));
        assertEquals(0, run("flood", "0").stdoutBytes().length);
    }

    @Test
    void readFileAndWriteFileRoundTripBytes() throws IOException {
        Path file = work.resolve("rw");
        ProbeRunner.Result w = run("write-file", file.toString(), "first");
        assertEquals(0, w.exit(), w::describe);
        assertEquals(0, run("write-file", file.toString(), "héllo").exit());
        assertEquals("héllo", Files.readString(file), "truncated and rewritten, no newline added");
        byte[] binary = {0, 1, (byte) 0xff, '\n', 'x'};
        Files.write(file, binary);
        ProbeRunner.Result r = run("read-file", file.toString());
        assertEquals(0, r.exit(), r::describe);
        assertEquals(new String(binary, StandardCharsets.ISO_8859_1), new String(r.stdoutBytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void writeFileFailureIsReported() {
        ProbeRunner.Result r = run("write-file", "/no/such/isolab-dir/x", "y");
        assertEquals(1, r.exit(), r::describe);
        assertEquals("isolab-probe: write-file: open /no/such/isolab-dir/x: No such file or directory\n", r.stderr());
    }

    // ---------------------------------------------------------------- time

    @Test
    void sleepSleepsAtLeastThatLong() {
        long t0 = System.nanoTime();
        ProbeRunner.Result r = run("sleep", "300");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(0, r.exit(), r::describe);
        assertTrue(ms >= 300, "slept only " + ms + " ms");
    }

    @Test
    void spinRunsUntilKilled() throws Exception {
        Process p = new ProcessBuilder(probe.toString(), "spin").start();
        try {
            assertFalse(p.waitFor(500, TimeUnit.MILLISECONDS), "spin ended by itself");
            long cpuMs = p.toHandle().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
            assertTrue(cpuMs < 0 || cpuMs > 100, "spun only " + cpuMs + " ms of cpu in 500 ms");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(128 + 9, p.waitFor());
    }

    @Test
    void tickPrintsNumberedLinesOnSchedule() throws Exception {
        Process p = new ProcessBuilder(probe.toString(), "tick", "100").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            long t0 = System.nanoTime();
            for (int n = 0; n < 4; n++) {
                assertEquals("tick " + n, out.readLine());
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 250, "4 ticks 100 ms apart came within " + ms + " ms");
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    // ---------------------------------------------------------------- measurements

    @Test
    void burnReportsWallAndCpuTime() {
        JsonNode burn = jsonLine(run("burn", "300"), "burn");
        assertEquals(300, burn.path("ms").asInt());
        double wall = burn.path("wall_ms").asDouble(), cpu = burn.path("cpu_ms").asDouble();
        assertTrue(wall >= 300 && wall < 5000, burn::toString);
        assertTrue(cpu > 0 && cpu <= wall * 1.05 + 5, () -> "one thread cannot use more cpu than wall time: " + burn);
    }

    @Test
    void cpuIsDeterministicWork() {
        JsonNode two = jsonLine(run("cpu", "2"), "cpu");
        assertEquals(2, two.path("n").asInt());
        assertEquals(2L << 20, two.path("ops").asLong());
        assertTrue(two.path("seconds").asDouble() > 0, two::toString);
        assertTrue(two.path("ops_per_sec").asDouble() > 1e6, two::toString);
        assertTrue(two.path("checksum").asText().matches("[0-9a-f]{16}"), two::toString);
        assertEquals(two.path("checksum"), jsonLine(run("cpu", "2"), "cpu").path("checksum"), "the same work twice");
        assertNotEquals(two.path("checksum"), jsonLine(run("cpu", "3"), "cpu").path("checksum"), "more work");
    }

    @Test
    void memReportsBandwidth() {
        JsonNode mem = jsonLine(run("mem", "24"), "mem");
        assertEquals(24, mem.path("mb").asInt());
        for (String field : List.of("touch_ms", "copy_mb_s", "triad_mb_s")) {
            assertTrue(mem.path(field).asDouble() > 0, () -> field + ": " + mem);
        }
    }

    @Test
    void syscallReportsNanosecondsPerCall() {
        JsonNode sys = jsonLine(run("syscall", "100000"), "syscall");
        assertEquals(100000, sys.path("n").asInt());
        double ns = sys.path("ns_per_call").asDouble();
        assertTrue(ns > 1 && ns < 1e6, sys::toString);
    }

    @Test
    void spawnReExecsItself() {
        JsonNode spawn = jsonLine(run("spawn", "20"), "spawn");
        assertEquals(20, spawn.path("n").asInt());
        assertEquals("/proc/self/exe", spawn.path("exe").asText());
        double median = spawn.path("median_us").asDouble(), p99 = spawn.path("p99_us").asDouble();
        assertTrue(median > 10 && median <= p99 && spawn.path("mean_us").asDouble() > 10, spawn::toString);
        assertTrue(ProbeRunner.processesRunning(probe).isEmpty(), "children left running");
    }

    @Test
    void ioWritesSyncsReadsAndRemovesItsFile() throws IOException {
        Path dir = Files.createDirectories(work.resolve("io"));
        JsonNode io = jsonLine(run("io", "8", dir.toString()), "io");
        assertEquals(8, io.path("mb").asInt());
        assertEquals(dir.toString(), io.path("dir").asText());
        assertTrue(io.path("write_mb_s").asDouble() > 0 && io.path("read_mb_s").asDouble() > 0, io::toString);
        assertTrue(io.path("fsync_ms").asDouble() >= 0, io::toString);
        assertTrue(Set.of("direct", "buffered").contains(io.path("read_mode").asText()), io::toString);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the test file is deleted");
        }
    }

    @Test
    void ioFailureNamesTheFile() {
        ProbeRunner.Result r = run("io", "1", "/no/such/isolab-dir");
        assertEquals(1, r.exit(), r::describe);
        assertTrue(r.stderr().startsWith("isolab-probe: io: create /no/such/isolab-dir/isolab-probe-io."), r::describe);
    }

    @Test
    void netMeasuresLoopbackRoundTrips() {
        JsonNode net = jsonLine(run("net", "500"), "net");
        assertEquals(500, net.path("n").asInt());
        double median = net.path("median_us").asDouble(), p99 = net.path("p99_us").asDouble();
        assertTrue(median > 0 && median <= p99 && net.path("mean_us").asDouble() > 0, net::toString);
        assertTrue(ProbeRunner.processesRunning(probe).isEmpty(), "echo server left running");
    }

    @Test
    void netWithoutLoopbackSaysSo() {
        assumeTrue(ProbeRunner.isRoot(), "needs root for a network namespace");
        var unshare = ProbeRunner.tool("unshare");
        assumeTrue(unshare.isPresent(), "needs unshare(1)");
        // A new network namespace has lo, but down: 127.0.0.1 is unreachable.
        ProbeRunner.Result r = runner.exec(unshare.get().toString(), "--net", probe.toString(), "net", "10");
        assertEquals(1, r.exit(), r::describe);
        assertTrue(r.stderr().startsWith("isolab-probe: net: ") && r.stderr().contains("loopback interface is down"),
                r::describe);
    }

    // ---------------------------------------------------------------- limits

    @Test
    void allocTouchesAndReports() {
        ProbeRunner.Result r = run("alloc", "32");
        assertEquals("{\"probe\":\"alloc\",\"mb\":32}\n", r.stdout(), r::describe);
    }

    @Test
    void allocRefusedExits3() {
        // 64 MiB of address space: the static probe itself needs little, so the refusal comes near 60 MiB.
        ProbeRunner.Result r = runner.exec("/bin/sh", "-c", "ulimit -v 65536; exec \"$0\" alloc 200", probe.toString());
        assertEquals(3, r.exit(), r::describe);
        Matcher m = Pattern.compile("isolab-probe: alloc: cannot allocate after (\\d+) MiB: Cannot allocate memory\n")
                .matcher(r.stderr());
        assertTrue(m.matches(), r::describe);
        int mib = Integer.parseInt(m.group(1));
        assertTrue(mib > 16 && mib < 64, () -> "refused after " + mib + " MiB under a 64 MiB limit");
        assertEquals("", r.stdout());
    }

    @Test
    void allocHoldsItsMemory() throws Exception {
        Process p = new ProcessBuilder(probe.toString(), "alloc", "16", "--hold", "60000").start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("{\"probe\":\"alloc\",\"mb\":16}", out.readLine(), "reported before holding");
            long rssKb = Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
            assertTrue(rssKb >= 16 * 1024, "resident " + rssKb + " kB, allocated 16 MiB");
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void forkbombStopsAtItsBoundAndReapsEverything() {
        JsonNode bomb = jsonLine(run("forkbomb", "50"), "forkbomb");
        assertEquals(50, bomb.path("max").asInt());
        assertEquals(50, bomb.path("forked").asInt(), bomb::toString);
        assertFalse(bomb.path("limit_hit").asBoolean(true), bomb::toString);
        assertTrue(bomb.path("errno").isNull(), bomb::toString);
        assertTrue(ProbeRunner.processesRunning(probe).isEmpty(), "children left running");
    }

    @Test
    void forkbombReportsTheLimitThatStoppedIt() {
        assumeTrue(ProbeRunner.isRoot(), "needs root to become nobody");
        var setpriv = ProbeRunner.tool("setpriv");
        var prlimit = ProbeRunner.tool("prlimit");
        assumeTrue(setpriv.isPresent() && prlimit.isPresent(), "needs setpriv(1) and prlimit(1)");
        // RLIMIT_NPROC binds only non-root users, and counts all of that user's processes.
        ProbeRunner.Result r = runner.exec(setpriv.get().toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                prlimit.get().toString(), "--nproc=20:20", probe.toString(), "forkbomb", "100");
        JsonNode bomb = jsonLine(r, "forkbomb");
        assertTrue(bomb.path("limit_hit").asBoolean(), bomb::toString);
        assertEquals("EAGAIN", bomb.path("errno").asText(), bomb::toString);
        assertTrue(bomb.path("forked").asInt() < 20, bomb::toString);
        assertTrue(ProbeRunner.processesRunning(probe).isEmpty(), "children left running");
    }

    // ---------------------------------------------------------------- inspect

    @Test
    void inspectSeesWhatTheHostSees() throws IOException {
        Path cwd = Files.createDirectories(work.resolve("cwd"));
        ProbeRunner.Result r = runner.exec(List.of(probe.toString(), "inspect"), cwd);
        JsonNode seen = jsonLine(r, "inspect");

        assertEquals(r.pid(), seen.path("pid").asLong());
        assertEquals(ProcessHandle.current().pid(), seen.path("ppid").asLong());
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assertEquals(uid, seen.path("uid").asInt());
        assertEquals(uid, seen.path("euid").asInt());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), seen.path("hostname").asText());
        assertEquals("Linux", seen.path("sysname").asText());
        assertEquals(System.getProperty("os.version"), seen.path("kernel").asText());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip(), seen.path("boot_id").asText());
        assertTrue(seen.path("jailed").isNull());

        Map<String, Long> namespaces = new TreeMap<>();
        try (Stream<Path> ns = Files.list(Path.of("/proc/self/ns"))) {
            for (Path link : ns.toList()) {
                String target = Files.readSymbolicLink(link).toString(); // e.g. net:[4026531840]
                namespaces.put(link.getFileName().toString(),
                        Long.parseLong(target.substring(target.indexOf('[') + 1, target.length() - 1)));
            }
        }
        Map<String, Long> seenNamespaces = new TreeMap<>();
        seen.path("ns").properties().forEach(e -> seenNamespaces.put(e.getKey(), e.getValue().asLong()));
        assertEquals(namespaces, seenNamespaces, "the JVM's namespaces");

        assertTrue(seen.path("processes").asInt() > 1, seen::toString);
        Set<String> links = new TreeSet<>();
        try (Stream<Path> net = Files.list(Path.of("/sys/class/net"))) {
            net.forEach(p -> links.add(p.getFileName().toString()));
        }
        assertEquals(new ArrayList<>(links), strings(seen.path("interfaces")), "every link, up or down");
        assertEquals(Files.readAllLines(Path.of("/proc/self/cgroup")), strings(seen.path("cgroup")));
        assertEquals(Files.readAllLines(Path.of("/proc/self/uid_map")).stream().map(l -> l.strip().replaceAll(" +", " ")).toList(),
                strings(seen.path("uid_map")), "uid_map, columns squeezed");
        assertTrue(seen.path("cap_eff").asText().matches("[0-9a-f]{16}"), seen::toString);
        assertEquals(statusField("NoNewPrivs").equals("1"), seen.path("no_new_privs").asBoolean(true));
        assertEquals(Integer.parseInt(statusField("Seccomp")), seen.path("seccomp").asInt(-1));
        assertEquals(Files.readAllLines(Path.of("/proc/self/mounts")).size(), seen.path("mounts").asInt());
        assertTrue(seen.path("marker_visible").isNull(), "no --marker, no answer");
        try (Stream<Path> root = Files.list(Path.of("/"))) {
            assertEquals(root.map(p -> p.getFileName().toString()).sorted().toList(), strings(seen.path("root_listing")));
        }
        assertEquals(cwd.toRealPath().toString(), seen.path("cwd").asText());
    }

    @Test
    void inspectMarkerSaysWhetherThePathIsVisible() throws IOException {
        Path marker = Files.createFile(work.resolve("marker"));
        assertTrue(jsonLine(run("inspect", "--marker", marker.toString()), "inspect").path("marker_visible").asBoolean(false));
        Path missing = work.resolve("no-such-marker");
        JsonNode seen = jsonLine(run("inspect", "--marker", missing.toString()), "inspect");
        assertTrue(seen.path("marker_visible").isBoolean());
        assertFalse(seen.path("marker_visible").asBoolean(true));
    }

    @Test
    void inspectWithOnlyLoopback() {
        assumeTrue(ProbeRunner.isRoot(), "needs root for a network namespace");
        var unshare = ProbeRunner.tool("unshare");
        assumeTrue(unshare.isPresent(), "needs unshare(1)");
        JsonNode seen = jsonLine(runner.exec(unshare.get().toString(), "--net", "--uts", probe.toString(), "inspect"), "inspect");
        assertEquals(List.of("lo"), strings(seen.path("interfaces")));
    }

    @Test
    void inspectKeepsOutputValidJsonForAnyBytes() throws IOException {
        // A directory name that is not UTF-8 (byte 0xff) and has a quote and a tab: still valid JSON.
        ProbeRunner.Result r = runner.exec(List.of("/bin/sh", "-c",
                "d=\"$(printf 'x\\377\"\\ty')\" && mkdir \"$d\" && cd \"$d\" && \"$0\" inspect; s=$?; cd .. && rmdir \"$d\"; exit $s",
                probe.toString()), work);
        JsonNode seen = jsonLine(r, "inspect");
        assertTrue(seen.path("cwd").asText().endsWith("/x\uFFFD\"\ty"), seen.path("cwd")::toString);
    }

    @Test
    void inspectInAChrootWithoutProc() {
        assumeTrue(ProbeRunner.isRoot(), "needs root for chroot");
        var chroot = ProbeRunner.tool("chroot");
        assumeTrue(chroot.isPresent(), "needs chroot(8)");
        Path rootfs = WorkloadRootfs.ensure(work.resolve("cache"));
        JsonNode seen = jsonLine(runner.exec(chroot.get().toString(), rootfs.toString(), Probe.PATH_IN_ROOTFS, "inspect",
                "--marker", work.toString()), "inspect");
        assertTrue(seen.path("processes").isNull(), "no /proc is not zero processes: " + seen);
        assertEquals(0, seen.path("ns").size(), seen::toString);
        assertTrue(seen.path("boot_id").isNull() && seen.path("cgroup").isNull() && seen.path("mounts").isNull(), seen::toString);
        assertFalse(seen.path("marker_visible").asBoolean(true), seen::toString);
        assertTrue(strings(seen.path("root_listing")).containsAll(List.of("bin", "etc", "isolab-probe", "tmp", "usr")),
                seen::toString);
        assertEquals("/", seen.path("cwd").asText());
    }

    // ---------------------------------------------------------------- escape-chroot

    @Test
    void escapeChrootFromTheRealRootGoesNowhere() {
        JsonNode escape = jsonLine(run("escape-chroot"), "escape-chroot");
        assertFalse(escape.path("escaped").asBoolean(true), escape::toString);
        assertEquals(escape.path("root_before"), escape.path("root_after"), escape::toString);
        if (ProbeRunner.isRoot()) {
            assertTrue(escape.path("failed_step").isNull(), escape::toString);
        } else {
            assertEquals("chroot", escape.path("failed_step").asText(), escape::toString);
            assertEquals("EPERM", escape.path("errno").asText(), escape::toString);
        }
        assertFalse(Files.exists(Path.of(escape.path("via").asText())), "the escape directory is removed");
    }

    @Test
    void escapeChrootLeavesAPlainChroot() throws IOException {
        assumeTrue(ProbeRunner.isRoot(), "needs root for chroot");
        var chroot = ProbeRunner.tool("chroot");
        assumeTrue(chroot.isPresent(), "needs chroot(8)");
        Path rootfs = WorkloadRootfs.ensure(work.resolve("cache"));
        Path marker = Files.createFile(work.resolve("escape-marker"));
        JsonNode escape = jsonLine(runner.exec(chroot.get().toString(), rootfs.toString(), Probe.PATH_IN_ROOTFS,
                "escape-chroot", "--marker", marker.toString()), "escape-chroot");
        assertTrue(escape.path("escaped").asBoolean(), escape::toString);
        assertTrue(escape.path("marker_visible").asBoolean(), escape::toString);
        assertNotEquals(escape.path("root_before"), escape.path("root_after"));
        try (Stream<Path> root = Files.list(Path.of("/"))) {
            assertEquals(root.map(p -> p.getFileName().toString()).sorted().toList(), strings(escape.path("root_listing")),
                    "the host's root");
        }
        try (Stream<Path> tmp = Files.list(rootfs.resolve("tmp"))) {
            assertEquals(List.of(), tmp.toList(), "the escape directory is removed");
        }
    }

    @Test
    void escapeChrootWithoutCapSysChrootFailsWithEperm() {
        assumeTrue(ProbeRunner.isRoot(), "needs root to drop a capability");
        var setpriv = ProbeRunner.tool("setpriv");
        assumeTrue(setpriv.isPresent(), "needs setpriv(1)");
        JsonNode escape = jsonLine(runner.exec(setpriv.get().toString(), "--bounding-set=-sys_chroot",
                "--inh-caps=-sys_chroot", probe.toString(), "escape-chroot"), "escape-chroot");
        assertFalse(escape.path("escaped").asBoolean(true), escape::toString);
        assertEquals("chroot", escape.path("failed_step").asText(), escape::toString);
        assertEquals("EPERM", escape.path("errno").asText(), escape::toString);
    }

    // ---------------------------------------------------------------- sources

    @Test
    void packagedSourcesBuildTheSameProbe() throws IOException {
        var cc = ProbeRunner.tool("cc");
        assumeTrue(cc.isPresent(), "needs a C compiler");
        Map<String, String> sources = Probe.sources();
        assertTrue(sources.keySet().containsAll(List.of("probe.c", "probe.h", "Makefile")), () -> sources.keySet().toString());
        Path dir = Files.createDirectories(work.resolve("src"));
        List<String> command = new ArrayList<>(List.of(cc.get().toString(), "-O2", "-std=gnu11", "-ffp-contract=off",
                "-o", dir.resolve("isolab-probe").toString()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
            if (e.getKey().endsWith(".c")) {
                command.add(dir.resolve(e.getKey()).toString());
            }
        }
        ProbeRunner.Result build = runner.exec(command, dir);
        assertEquals(0, build.exit(), build::describe);
        // What a jail compiles from these sources does the same work as the packaged binary.
        JsonNode rebuilt = jsonLine(runner.exec(dir.resolve("isolab-probe").toString(), "cpu", "1"), "cpu");
        assertEquals(jsonLine(run("cpu", "1"), "cpu").path("checksum"), rebuilt.path("checksum"));
    }

    private static List<String> strings(JsonNode array) {
        assertTrue(array.isArray(), () -> "not an array: " + array);
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    private static String statusField(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(name + ":"))
                .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElseThrow();
    }
}
