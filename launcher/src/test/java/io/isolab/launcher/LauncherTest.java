package io.isolab.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.ExitStatus;
import io.isolab.api.SandboxStartException.Kind;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.spi.ProcessExit;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launcher against the real kernel, with the workload rootfs (the probe plus busybox). */
@Timeout(60)
class LauncherTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/bin:/usr/bin");
    private static final Set<Namespace> FIVE = EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS,
            Namespace.IPC, Namespace.NET);
    private static Launcher launcher;
    private static Path rootfs;
    private Path scratch;

    @BeforeAll
    static void open() {
        assumeTrue("root".equals(System.getProperty("user.name")), "the launcher's tests need root (chroot, namespaces)");
        launcher = Launcher.open(IsolabConfig.standard().cacheDir());
        rootfs = WorkloadRootfs.ensure(IsolabConfig.standard().cacheDir());
        assumeTrue(Files.isExecutable(rootfs.resolve("bin/busybox")), "needs busybox-static in the rootfs");
    }

    @AfterAll
    static void close() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @BeforeEach
    void scratch() throws IOException {
        scratch = Files.createTempDirectory("isolab-launcher-test-");
    }

    @AfterEach
    void removeScratch() throws IOException {
        try (Stream<Path> paths = Files.walk(scratch)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static LaunchRequest.Builder chroot(String... argv) {
        return LaunchRequest.builder(argv).env(ENV).root(RootSetup.chroot(rootfs)).newSession(true);
    }

    private static ProcessExit run(LaunchRequest request, Capture capture) throws InterruptedException {
        return launcher.launch(request, capture.io()).awaitExit(Duration.ofSeconds(30));
    }

    @Test
    void runsTheProbeInAChroot() throws Exception {
        Capture c = new Capture();
        assertEquals(ExitStatus.exited(0), run(chroot(Probe.PATH_IN_ROOTFS, "true").build(), c).status());
        assertEquals(ExitStatus.exited(7), run(chroot(Probe.PATH_IN_ROOTFS, "exit", "7").build(), c).status());
    }

    @Test
    void keepsStreamsApartAndTheEnvironmentExact() throws Exception {
        Capture c = new Capture();
        ProcessExit exit = run(chroot("sh", "-c", "echo out; echo err >&2; env; pwd").cwd("/tmp")
                .env(Map.of("PATH", "/bin", "A", "one two")).build(), c);
        assertEquals(ExitStatus.exited(0), exit.status(), c::err);
        assertEquals("err\n", c.err());
        List<String> lines = c.out().lines().toList();
        assertEquals("out", lines.get(0));
        assertEquals("/tmp", lines.get(lines.size() - 1));
        // busybox sh adds PWD, SHLVL (and OLDPWD) itself; nothing comes from the JVM's environment
        assertTrue(lines.contains("A=one two"), c::out);
        assertFalse(c.out().contains("JAVA_HOME") || c.out().contains("HOME="), c::out);
    }

    @Test
    void reportsTheSignal() throws Exception {
        Capture c = new Capture();
        assertEquals(ExitStatus.killed(11), run(chroot("sh", "-c", "kill -SEGV $$").build(), c).status());
        LaunchedProcess p = launcher.launch(chroot("sleep", "600").build(), c.io());
        p.kill(9);
        assertEquals(ExitStatus.killed(9), p.awaitExit(Duration.ofSeconds(10)).status());
        p.kill(9); // after exit: a no-op
    }

    @Test
    void deliversAllOutputBeforeTheExit() throws Exception {
        Capture c = new Capture();
        ProcessExit exit = run(chroot("sh", "-c", "busybox yes 0123456789abcdef | busybox head -c 8388608").build(), c);
        assertEquals(ExitStatus.exited(0), exit.status());
        assertEquals(8L << 20, c.outBytes());
    }

    @Test
    void waitersSeeTheExitThemselvesAndCanBeInterrupted() throws Exception {
        Capture c = new Capture();
        LaunchedProcess p = launcher.launch(chroot("sh", "-c", "sleep 0.3; echo done").build(), c.io());
        java.util.concurrent.ExecutorService waiters = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<ProcessExit>> exits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                exits.add(waiters.submit(() -> p.awaitExit(null)));
            }
            for (java.util.concurrent.Future<ProcessExit> e : exits) {
                assertEquals(ExitStatus.exited(0), e.get(30, java.util.concurrent.TimeUnit.SECONDS).status());
            }
            assertEquals("done\n", c.out(), "the output came before the exit, once");
            assertEquals(ExitStatus.exited(0), p.awaitExit(Duration.ZERO).status(), "still there for a late waiter");
        } finally {
            waiters.shutdownNow();
        }
        LaunchedProcess sleeper = launcher.launch(chroot("sleep", "30").build(), new Capture().io());
        Thread self = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            self.interrupt();
        });
        interrupter.start();
        long t0 = System.nanoTime();
        assertThrows(InterruptedException.class, () -> sleeper.awaitExit(null));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "the interrupt was seen late");
        assertEquals(null, sleeper.awaitExit(Duration.ofMillis(50)), "a timeout still returns null");
        sleeper.kill(9);
        assertEquals(ExitStatus.killed(9), sleeper.awaitExit(Duration.ofSeconds(30)).status());
    }

    @Test
    void namesAMissingCommand() {
        LaunchException e = assertThrows(LaunchException.class,
                () -> launcher.launch(chroot("/no/such/command").build(), new Capture().io()));
        assertEquals(Kind.COMMAND_NOT_FOUND, e.kind());
        assertEquals("execve", e.step());
        assertTrue(e.getMessage().contains("/no/such/command"), e.getMessage());
        LaunchException onPath = assertThrows(LaunchException.class,
                () -> launcher.launch(chroot("no-such-command").build(), new Capture().io()));
        assertEquals(Kind.COMMAND_NOT_FOUND, onPath.kind());
        assertTrue(onPath.getMessage().contains("no-such-command"), onPath.getMessage());
    }

    @Test
    void namesACommandThatCannotBeExecuted() {
        LaunchException e = assertThrows(LaunchException.class,
                () -> launcher.launch(chroot("/etc/passwd").build(), new Capture().io()));
        assertEquals(Kind.NOT_EXECUTABLE, e.kind());
        assertTrue(e.getMessage().contains("/etc/passwd"), e.getMessage());
    }

    @Test
    void namesTheFailingSetupStepAndLeavesNoDescriptor() throws Exception {
        long fds = openDescriptors();
        LaunchException chroot = assertThrows(LaunchException.class, () -> launcher.launch(
                LaunchRequest.builder("/bin/true").root(RootSetup.chroot(Path.of("/no/such/isolab-root"))).build(),
                new Capture().io()));
        assertEquals("chroot", chroot.step());
        assertEquals(Kind.SETUP, chroot.kind());
        assertTrue(chroot.getMessage().contains("/no/such/isolab-root"), chroot.getMessage());
        LaunchException rlimit = assertThrows(LaunchException.class, () -> launcher.launch(
                chroot("true").rlimit(Rlimit.of(Rlimit.Resource.NOFILE, 1L << 40)).build(), new Capture().io()));
        assertEquals("setrlimit", rlimit.step());
        assertTrue(rlimit.getMessage().contains("RLIMIT_NOFILE"), rlimit.getMessage());
        LaunchException cwd = assertThrows(LaunchException.class, () -> launcher.launch(
                chroot("true").cwd("/no/such/dir").build(), new Capture().io()));
        assertEquals("chdir", cwd.step());
        assertEquals(fds, openDescriptors(), "descriptors leaked by failed launches");
        assertEquals(List.of(), children(), "a failed launch left a child");
    }

    @Test
    void switchesUserAndAppliesLimits() throws Exception {
        Capture c = new Capture();
        ProcessExit exit = run(chroot("sh", "-c", "id -u; id -g; id -G; ulimit -n; ulimit -c")
                .credentials(new Credentials(65534, 65534, List.of(65534, 100)))
                .rlimit(Rlimit.of(Rlimit.Resource.NOFILE, 123)).rlimit(Rlimit.of(Rlimit.Resource.CORE, 0)).build(), c);
        assertEquals(ExitStatus.exited(0), exit.status(), c::err);
        assertEquals(List.of("65534", "65534", "65534 100", "123", "0"), c.out().lines().toList());
    }

    @Test
    void pivotsIntoNamespacesWithProcDevAndHostname() throws Exception {
        Path mountPoint = Files.createDirectory(scratch.resolve("root"));
        Path upper = Files.createDirectory(scratch.resolve("upper"));
        Path work = Files.createDirectory(scratch.resolve("work"));
        Capture c = new Capture();
        LaunchRequest request = LaunchRequest.builder("sh", "-c",
                        "echo $$; hostname; ls /dev | tr '\\n' ' '; echo; ip -o link | wc -l; ip -o link;"
                                + " wc -c < /proc/keys; ls /proc/acpi | wc -l;"
                                + " grep -E ' /(proc/acpi|sys/firmware) ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1"
                                + " | uniq -c | tr -s ' ' | tr '\\n' ';'; echo;"
                                + " echo x > /proc/sys/kernel/hostname && echo sys-writable;"
                                + " echo hello > /written; echo /proc/[0-9]*")
                .env(ENV).namespaces(FIVE).hostname("isolab-test").loopbackUp(true)
                .root(RootSetup.pivot(rootfs, mountPoint).overlay(upper, work).sysfs(true).build()).build();
        ProcessExit exit = run(request, c);
        assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
        List<String> lines = c.out().lines().toList();
        String all = c.out() + c.err();
        assertEquals("1", lines.get(0), all);
        assertEquals("isolab-test", lines.get(1));
        assertEquals(Set.of("fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
                "tty", "urandom", "zero"), Set.of(lines.get(2).trim().split(" ")));
        assertEquals("1", lines.get(3).trim(), "only lo: " + all);
        assertTrue(lines.get(4).contains("lo:") && lines.get(4).contains("UP"), all);
        if (Files.exists(Path.of("/proc/keys"))) {
            assertEquals("0", lines.get(5).trim(), "/proc/keys is masked: " + all);
        }
        if (Files.exists(Path.of("/proc/acpi"))) {
            assertEquals("0", lines.get(6).trim(), "/proc/acpi is masked: " + all);
        }
        // masked directories: one empty read-only tmpfs, bound to each
        long maskedDirs = Stream.of("/proc/acpi", "/sys/firmware").filter(d -> Files.isDirectory(Path.of(d))).count();
        assertEquals(maskedDirs == 0 ? "" : " " + maskedDirs + " tmpfs ro;", lines.get(7), all);
        assertFalse(c.out().contains("sys-writable"), "/proc/sys is read-only: " + all);
        assertTrue(c.err().contains("Read-only file system"), all);
        assertEquals("/proc/1", lines.get(lines.size() - 1), "sees only itself: " + all);
        assertEquals("hello\n", Files.readString(upper.resolve("written")), "writes go to the upper dir");
        assertFalse(Files.exists(rootfs.resolve("written")), "the rootfs was modified");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(mountPoint.toString()),
                "the overlay leaked into the host's mount table");
    }

    @Test
    void joinsAPreparedNetworkOnceWithLoopbackUp() throws Exception {
        String hostNet = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        PreparedNetwork network = launcher.prepareNetwork();
        assertEquals(hostNet, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString(),
                "the preparing thread went back to its own network namespace");
        Capture c = new Capture();
        LaunchRequest request = chroot("ip", "-o", "link").namespaces(EnumSet.of(Namespace.NET)).network(network)
                .build();
        ProcessExit exit = run(request, c);
        assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
        List<String> lines = c.out().lines().toList();
        assertEquals(1, lines.size(), "only lo: " + c.out());
        assertTrue(lines.get(0).contains("lo:") && lines.get(0).contains("UP"), c.out());
        try (Stream<Path> hostLinks = Files.list(Path.of("/sys/class/net"))) {
            assertTrue(hostLinks.count() > 1, "the host has more than lo, so this was not its namespace");
        }
        assertThrows(IllegalStateException.class, () -> launcher.launch(request, c.io()), "used once only");
        network.close();
        assertThrows(IllegalArgumentException.class, () -> chroot("true").namespaces(EnumSet.of(Namespace.NET,
                Namespace.USER)).network(launcher.prepareNetwork()).build(), "not owned by a new user namespace");
    }

    @Test
    void keepsTheCopyOnWriteLayerInMemory() throws Exception {
        Path mountPoint = Files.createDirectory(scratch.resolve("sandbox"));
        Capture c = new Capture();
        LaunchRequest request = LaunchRequest.builder("sh", "-c", "echo hello > /written; cat /written; ls /dev/null")
                .env(ENV).namespaces(FIVE)
                .root(RootSetup.pivot(rootfs, mountPoint).memoryOverlay().build()).build();
        ProcessExit exit = run(request, c);
        assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
        assertEquals(List.of("hello", "/dev/null"), c.out().lines().toList());
        assertFalse(Files.exists(rootfs.resolve("written")), "the rootfs was modified");
        try (Stream<Path> left = Files.list(mountPoint)) {
            assertEquals(List.of(), left.toList(), "the layers' tmpfs was the sandbox's own");
        }
        assertThrows(IllegalArgumentException.class, () -> new RootSetup.Pivot.Overlay(scratch.resolve("upper"), null));
    }

    @Test
    void launchesIntoARootPreparedAhead() throws Exception {
        Path host = Files.createDirectory(scratch.resolve("host"));
        Files.writeString(host.resolve("hello"), "from the host");
        String hostMounts = Files.readString(Path.of("/proc/self/mountinfo"));
        RootSetup.Pivot base = RootSetup.pivot(rootfs, scratch).memoryOverlay().sysfs(true).proc(false).build();
        PreparedRoot prepared = launcher.prepareRoot(base, launcher.prepareNetwork());
        assertEquals(hostMounts, Files.readString(Path.of("/proc/self/mountinfo")), "preparing touched the host's mounts");
        Capture c = new Capture();
        LaunchRequest request = LaunchRequest.builder("sh", "-c",
                        "echo $$; ls /dev | tr '\\n' ' '; echo; ip -o link | wc -l; wc -c < /proc/keys;"
                                + " grep -E ' /(proc/acpi|sys/firmware) ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1"
                                + " | uniq -c | tr -s ' ' | tr '\\n' ';'; echo;"
                                + " cat /mnt/in/hello; echo; echo hello > /written; cat /written;"
                                + " echo x > /proc/sys/kernel/hostname && echo sys-writable; echo /proc/[0-9]*")
                .env(ENV).namespaces(FIVE)
                .root(RootSetup.pivot(rootfs, scratch.resolve("unused")).memoryOverlay().sysfs(true)
                        .mount(new BindMount(host, "/mnt/in", true)).prepared(prepared).build()).build();
        ProcessExit exit = run(request, c);
        assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
        List<String> lines = c.out().lines().toList();
        String all = c.out() + c.err();
        assertEquals("1", lines.get(0), all);
        assertEquals(Set.of("fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
                "tty", "urandom", "zero"), Set.of(lines.get(1).trim().split(" ")), all);
        assertEquals("1", lines.get(2).trim(), "only lo: " + all);
        if (Files.exists(Path.of("/proc/keys"))) {
            assertEquals("0", lines.get(3).trim(), "/proc/keys is masked: " + all);
        }
        long maskedDirs = Stream.of("/proc/acpi", "/sys/firmware").filter(d -> Files.isDirectory(Path.of(d))).count();
        assertEquals(maskedDirs == 0 ? "" : " " + maskedDirs + " tmpfs ro;", lines.get(4), all);
        assertEquals(List.of("from the host", "hello"), lines.subList(5, 7), all);
        assertFalse(c.out().contains("sys-writable"), "/proc/sys is read-only: " + all);
        assertEquals("/proc/1", lines.get(lines.size() - 1), "sees only itself: " + all);
        assertFalse(Files.exists(rootfs.resolve("written")), "the rootfs was modified");
        assertThrows(IllegalStateException.class, () -> launcher.launch(request, c.io()), "used once only");
        prepared.close();
        PreparedRoot unused = launcher.prepareRoot(base, launcher.prepareNetwork());
        unused.close();
        assertEquals(hostMounts, Files.readString(Path.of("/proc/self/mountinfo")), "a mount was left on the host");
        assertThrows(IllegalArgumentException.class, () -> RootSetup.pivot(rootfs, scratch).memoryOverlay()
                .sysfs(false).prepared(unused).build(), "the prepared root is another root");
    }

    @Test
    void launchesAParkedLaunchWithWhatIsItsOwn() throws Exception {
        String hostMounts = Files.readString(Path.of("/proc/self/mountinfo"));
        Set<Namespace> namespaces = EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC,
                Namespace.NET, Namespace.CGROUP);
        ParkedLaunch parked = parkFromABackgroundThread(namespaces);
        Path proc = Path.of("/proc", String.valueOf(parked.pid()));
        assertEquals("isolab-parked", Files.readString(proc.resolve("comm")).strip());
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            // 0-2 and its socket: none of the JVM's files, sockets or other parked launches' sockets
            List<String> held = fds.map(LauncherTest::target).toList();
            assertTrue(held.size() <= 4, "the parked child holds the JVM's descriptors: " + held);
        }
        String name = "isolab-launcher-test-" + ProcessHandle.current().pid();
        Path pids = Path.of("/sys/fs/cgroup/pids", name);
        boolean v1 = Files.isDirectory(pids.getParent());
        if (v1) {
            Files.createDirectory(pids);
        }
        try {
            Capture c = new Capture();
            LaunchRequest.Builder request = LaunchRequest.builder("sh", "-c", "echo $$; hostname; grep pids /proc/self/cgroup;"
                            + " grep Cpus_allowed_list /proc/self/status;"
                            + " cut -d' ' -f19 /proc/self/stat; ls /proc/self/fd | wc -l; echo /proc/[0-9]*")
                    .env(ENV).namespaces(namespaces).root(parked.root()).hostname("parked-box").newSession(true);
            if (v1) {
                request.cgroup(pids);
            }
            LaunchedProcess p = launcher.launch(parked, request.build(), c.io());
            assertEquals(parked.pid(), p.pid(), "the parked child is the workload");
            assertEquals(ExitStatus.exited(0), p.awaitExit(Duration.ofSeconds(30)).status(), c::err);
            List<String> lines = c.out().lines().toList();
            assertEquals("1", lines.get(0), c.out());
            assertEquals("parked-box", lines.get(1), c.out());
            if (v1) {
                // joined before its cgroup namespace was unshared: the namespace's root
                assertTrue(lines.get(2).matches("\\d+:pids:/"), c.out());
            }
            String cpus = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Cpus_allowed_list")).findFirst().orElseThrow();
            assertEquals(cpus, lines.get(lines.size() - 4), "the launching thread's CPUs, not the one it was woken on");
            assertEquals("0", lines.get(lines.size() - 3).strip(), "the launching thread's nice, not the parker's: " + c.out());
            assertEquals("4", lines.get(lines.size() - 2).strip(), "stdio and ls's own directory only: " + c.out());
            assertEquals("/proc/1", lines.get(lines.size() - 1), c.out());
        } finally {
            if (v1) {
                Files.delete(pids);
            }
        }
        assertThrows(IllegalStateException.class, () -> launcher.launch(parked, LaunchRequest.builder("true")
                .namespaces(namespaces).root(parked.root()).build(), new Capture().io()), "used once only");
        assertEquals(hostMounts, Files.readString(Path.of("/proc/self/mountinfo")), "a mount was left on the host");
    }

    @Test
    void aParkedLaunchFailsCleanlyOrIsLetGo() throws Exception {
        Set<Namespace> namespaces = EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC,
                Namespace.NET);
        ParkedLaunch missing = parkFromABackgroundThread(namespaces);
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(missing,
                LaunchRequest.builder("/no/such/command").env(ENV).namespaces(namespaces).root(missing.root()).build(),
                new Capture().io()));
        assertEquals("execve", e.step(), e.getMessage());
        assertFalse(Files.exists(Path.of("/proc", String.valueOf(missing.pid()))), "the failed child is reaped");

        ParkedLaunch unused = parkFromABackgroundThread(namespaces);
        unused.close();
        unused.close();
        assertFalse(Files.exists(Path.of("/proc", String.valueOf(unused.pid()))), "a parked child let go is reaped");

        ParkedLaunch killed = parkFromABackgroundThread(namespaces);
        ProcessHandle.of(killed.pid()).orElseThrow().destroyForcibly();
        awaitZombie(killed.pid()); // dead, not yet reaped: only the launch can reap it
        e = assertThrows(LaunchException.class, () -> launcher.launch(killed,
                LaunchRequest.builder("true").env(ENV).namespaces(namespaces).root(killed.root()).build(),
                new Capture().io()));
        assertEquals(ParkedLaunch.GONE, e.step(), e.getMessage());
        assertFalse(Files.exists(Path.of("/proc", String.valueOf(killed.pid()))), "a killed parked child is reaped");

        ParkedLaunch other = parkFromABackgroundThread(namespaces);
        assertThrows(IllegalArgumentException.class, () -> launcher.launch(other, LaunchRequest.builder("true")
                .namespaces(FIVE).root(RootSetup.pivot(rootfs, scratch).memoryOverlay().build()).build(),
                new Capture().io()), "another root");
        assertFalse(Files.exists(Path.of("/proc", String.valueOf(other.pid()))), "a refused launch lets the child go");
    }

    private static void awaitZombie(int pid) throws Exception {
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.readString(stat).substring(Files.readString(stat).lastIndexOf(')') + 2).startsWith("Z")) {
            assertTrue(System.nanoTime() < deadline, pid + " did not die of SIGKILL");
            Thread.sleep(5);
        }
    }

    /** As the prepared pool does: from a thread at nice 19, which the workload must not inherit. */
    private ParkedLaunch parkFromABackgroundThread(Set<Namespace> namespaces) throws Exception {
        RootSetup.Pivot base = RootSetup.pivot(rootfs, scratch).memoryOverlay().sysfs(true)
                .dev(RootSetup.Pivot.DevMode.MKNOD).build();
        java.util.concurrent.CompletableFuture<ParkedLaunch> parked = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                launcher.yieldToLaunches();
                PreparedRoot prepared = launcher.prepareRoot(base, launcher.prepareNetwork());
                parked.complete(launcher.park(namespaces, RootSetup.pivot(rootfs, scratch).memoryOverlay().sysfs(true)
                        .dev(RootSetup.Pivot.DevMode.MKNOD).prepared(prepared).build()));
            } catch (RuntimeException e) {
                parked.completeExceptionally(e);
            }
        });
        t.start();
        t.join();
        return parked.get();
    }

    @Test
    void keepsTheMountNamespaceUntilReleased() throws Exception {
        Path mountPoint = Files.createDirectory(scratch.resolve("root"));
        Path upper = Files.createDirectory(scratch.resolve("upper"));
        Path work = Files.createDirectory(scratch.resolve("work"));
        Capture c = new Capture();
        LaunchedProcess p = launcher.launch(LaunchRequest.builder("sleep", "0.3").env(ENV).namespaces(FIVE)
                .root(RootSetup.pivot(rootfs, mountPoint).overlay(upper, work).build()).keepMountNamespace(true)
                .build(), c.io());
        String namespace = Files.readSymbolicLink(Path.of("/proc", String.valueOf(p.pid()), "ns", "mnt")).toString();
        assertEquals(ExitStatus.exited(0), p.awaitExit(Duration.ofSeconds(30)).status(), c::err);
        assertTrue(heldByThisProcess(namespace), namespace + " went with its last process");
        p.releaseMountNamespace();
        p.releaseMountNamespace();
        assertFalse(heldByThisProcess(namespace), namespace + " is still held");
    }

    private static String target(Path fd) {
        try {
            return fd.getFileName() + "->" + Files.readSymbolicLink(fd);
        } catch (IOException gone) {
            return fd.getFileName() + " (gone)";
        }
    }

    private static boolean heldByThisProcess(String namespace) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(namespace);
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }

    @Test
    void bindsReadOnlyAndMountsTheRootReadOnly() throws Exception {
        Path host = Files.createDirectory(scratch.resolve("host"));
        Files.writeString(host.resolve("hello"), "from the host");
        Capture c = new Capture();
        LaunchRequest request = LaunchRequest.builder("sh", "-c",
                        "cat /mnt/in/deeper/hello; echo; touch /mnt/in/deeper/x && echo bind-writable;"
                                + " touch /x && echo root-writable; touch /dev/shm/ok && echo shm-ok")
                .env(ENV).namespaces(EnumSet.of(Namespace.MOUNT, Namespace.PID))
                .root(RootSetup.pivot(rootfs, rootfs).readOnly(true).dev(RootSetup.Pivot.DevMode.BIND)
                        .mount(new BindMount(host, "/mnt/in/deeper", true)).build()).build();
        // a bind root creates missing mount points in the rootfs: make this one exist already
        assumeTrue(Files.isDirectory(rootfs.resolve("mnt")));
        Path created = rootfs.resolve("mnt/in");
        boolean existed = Files.exists(created);
        try {
            ProcessExit exit = run(request, c);
            assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
            assertEquals(List.of("from the host", "shm-ok"), c.out().lines().toList(), () -> c.out() + c.err());
            assertTrue(c.err().contains("Read-only file system"), c::err);
            assertFalse(Files.exists(host.resolve("x")));
        } finally {
            if (!existed) {
                Files.deleteIfExists(created.resolve("deeper"));
                Files.deleteIfExists(created);
            }
        }
    }

    @Test
    void dropsCapabilitiesAndSetsNoNewPrivs() throws Exception {
        Capture c = new Capture();
        ProcessExit exit = run(chroot("sh", "-c", "grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status")
                .capabilities(LinuxCapability.OCI_DEFAULT).noNewPrivileges(true).build(), c);
        // /proc is the host's here: the chroot has none, so look from a pivot root instead when absent
        if (exit.status().code() != 0) {
            Path mountPoint = Files.createDirectory(scratch.resolve("root"));
            exit = run(LaunchRequest.builder("sh", "-c", "grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status")
                    .env(ENV).namespaces(EnumSet.of(Namespace.MOUNT, Namespace.PID))
                    .root(RootSetup.pivot(rootfs, mountPoint).overlay(
                            Files.createDirectory(scratch.resolve("u")), Files.createDirectory(scratch.resolve("w"))).build())
                    .capabilities(LinuxCapability.OCI_DEFAULT).noNewPrivileges(true).build(), c);
        }
        assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
        String expected = String.format("%016x", LinuxCapability.mask(LinuxCapability.OCI_DEFAULT));
        assertTrue(c.out().contains("CapBnd:\t" + expected), c::out);
        assertTrue(c.out().contains("CapEff:\t" + expected), c::out);
        assertTrue(c.out().contains("NoNewPrivs:\t1"), c::out);
    }

    @Test
    void joinsOneCgroupPerV1HierarchyBeforeTheFirstInstruction() throws Exception {
        String name = "isolab-launcher-test-" + ProcessHandle.current().pid();
        List<Path> cgroups = List.of(Path.of("/sys/fs/cgroup/pids", name), Path.of("/sys/fs/cgroup/memory", name));
        assumeTrue(cgroups.stream().allMatch(c -> Files.isDirectory(c.getParent())), "needs cgroup v1 pids and memory");
        for (Path c : cgroups) {
            Files.createDirectory(c);
        }
        try {
            Capture c = new Capture();
            LaunchRequest.Builder request = LaunchRequest.builder("/bin/cat", "/proc/self/cgroup")
                    .namespaces(EnumSet.of(Namespace.CGROUP));
            cgroups.forEach(request::cgroup);
            ProcessExit exit = run(request.build(), c);
            assertEquals(ExitStatus.exited(0), exit.status(), c::err);
            // joined before its cgroup namespace was made: each is the namespace's root
            assertTrue(c.out().lines().anyMatch(l -> l.matches("\\d+:pids:/")), c::out);
            assertTrue(c.out().lines().anyMatch(l -> l.matches("\\d+:memory:/")), c::out);
            assertEquals("0", Files.readString(cgroups.get(0).resolve("pids.current")).strip());
        } finally {
            for (Path c : cgroups) {
                Files.delete(c);
            }
        }
    }

    @Test
    void isBornInItsCgroupV2() throws Exception {
        Path v2 = Path.of("/sys/fs/cgroup/unified");
        assumeTrue(Files.exists(v2.resolve("cgroup.procs")), "needs a cgroup v2 hierarchy at " + v2);
        assumeTrue(Launcher.kernelFeatures(null).contains(KernelFeature.CLONE3), "CLONE_INTO_CGROUP needs clone3");
        Path cgroup = Files.createDirectory(v2.resolve("isolab-launcher-test-" + ProcessHandle.current().pid()));
        try {
            Capture c = new Capture();
            LaunchedProcess p = launcher.launch(LaunchRequest.builder("/bin/sh", "-c", "cat /proc/self/cgroup; exec sleep 600")
                    .cgroup(cgroup).build(), c.io());
            try {
                for (int i = 0; i < 500 && !c.out().contains("0::"); i++) {
                    Thread.sleep(10);
                }
                assertTrue(c.out().contains("0::/" + cgroup.getFileName() + "\n"), () -> c.out() + c.err());
                // born there: no write to cgroup.procs was needed, and it is listed
                assertEquals(String.valueOf(p.pid()), Files.readString(cgroup.resolve("cgroup.procs")).strip());
            } finally {
                p.kill(9);
                p.awaitExit(Duration.ofSeconds(10));
            }
        } finally {
            Files.delete(cgroup);
        }
    }

    @Test
    void createsATimeNamespace() throws Exception {
        assumeTrue(Namespace.TIME.supported(), "no time namespaces in this kernel");
        Path mountPoint = Files.createDirectory(scratch.resolve("root"));
        Capture c = new Capture();
        ProcessExit exit = run(LaunchRequest.builder("/bin/readlink", "/proc/self/ns/time")
                .namespaces(EnumSet.of(Namespace.TIME, Namespace.MOUNT, Namespace.PID))
                .root(RootSetup.pivot(rootfs, mountPoint).overlay(Files.createDirectory(scratch.resolve("u")),
                        Files.createDirectory(scratch.resolve("w"))).build()).build(), c);
        assertEquals(ExitStatus.exited(0), exit.status(), c::err);
        assertTrue(c.out().startsWith("time:["), c::out);
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/time")).toString(), c.out().strip());
    }

    @Test
    void writesIdMapsForAUserNamespace() throws Exception {
        Path mountPoint = Files.createDirectory(scratch.resolve("root"));
        Capture c = new Capture();
        LaunchRequest request = LaunchRequest.builder("sh", "-c", "id -u; cat /proc/self/uid_map")
                .env(ENV).namespaces(EnumSet.of(Namespace.USER, Namespace.MOUNT, Namespace.PID, Namespace.NET))
                .idMaps(List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)), false)
                .root(RootSetup.pivot(rootfs, mountPoint).overlay(Files.createDirectory(scratch.resolve("u")),
                        Files.createDirectory(scratch.resolve("w"))).dev(RootSetup.Pivot.DevMode.BIND).build())
                .build();
        // the upper dir must be reachable by the namespace's root (host uid 100000)
        for (Path p : List.of(scratch, scratch.resolve("u"), scratch.resolve("w"), mountPoint)) {
            Files.setAttribute(p, "unix:uid", 100000);
            Files.setAttribute(p, "unix:gid", 100000);
        }
        ProcessExit exit = run(request, c);
        assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
        List<String> lines = c.out().lines().toList();
        assertEquals("0", lines.get(0));
        assertEquals(List.of("0", "100000", "65536"), List.of(lines.get(1).trim().split("\\s+")));
    }

    @Test
    void execsIntoTheNamespacesOfARunningProcess() throws Exception {
        Path mountPoint = Files.createDirectory(scratch.resolve("root"));
        Capture first = new Capture();
        LaunchedProcess main = launcher.launch(LaunchRequest.builder("sh", "-c", "echo marker > /tmp/seen; exec sleep 600")
                .env(ENV).namespaces(FIVE).hostname("isolab-exec")
                .root(RootSetup.pivot(rootfs, mountPoint).overlay(Files.createDirectory(scratch.resolve("u")),
                        Files.createDirectory(scratch.resolve("w"))).build()).build(), first.io());
        try {
            Path comm = Path.of("/proc", String.valueOf(main.pid()), "comm");
            for (int i = 0; i < 500 && !Files.readString(comm).strip().equals("sleep"); i++) {
                Thread.sleep(10); // until the shell has written the marker and exec'd sleep
            }
            Capture c = new Capture();
            ProcessExit exit = run(LaunchRequest.builder("sh", "-c", "hostname; cat /tmp/seen; echo $$; ps -o pid,comm | grep -c sleep")
                    .env(ENV).join(new JoinTarget(main.pid(), FIVE)).build(), c);
            assertEquals(ExitStatus.exited(0), exit.status(), () -> c.out() + c.err());
            List<String> lines = c.out().lines().toList();
            assertEquals("isolab-exec", lines.get(0));
            assertEquals("marker", lines.get(1));
            assertNotEquals("1", lines.get(2), "the exec'd process is not the sandbox's init");
            assertTrue(Integer.parseInt(lines.get(2)) < 100, "a pid of the sandbox's namespace: " + lines.get(2));
            assertEquals("1", lines.get(3), "sees the sandbox's sleep");
        } finally {
            main.kill(9);
            main.awaitExit(Duration.ofSeconds(10));
        }
    }

    @Test
    void execsIntoAUserNamespaceWithoutSharingMemory() throws Exception {
        Path mountPoint = Files.createDirectory(scratch.resolve("root"));
        // the rootfs is owned by host root, unmapped here: overlay cannot copy its directories up, so the
        // shared file goes to the sandbox's own /dev/shm
        Set<Namespace> namespaces = EnumSet.of(Namespace.USER, Namespace.MOUNT, Namespace.PID, Namespace.UTS);
        Path upper = Files.createDirectory(scratch.resolve("u"));
        Path work = Files.createDirectory(scratch.resolve("w"));
        for (Path p : List.of(scratch, upper, work, mountPoint)) {
            Files.setAttribute(p, "unix:uid", 100000);
            Files.setAttribute(p, "unix:gid", 100000);
        }
        LaunchedProcess main = launcher.launch(LaunchRequest.builder("sh", "-c", "echo marker > /dev/shm/seen; exec sleep 600")
                .env(ENV).namespaces(namespaces).hostname("isolab-userns")
                .idMaps(List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)), false)
                .root(RootSetup.pivot(rootfs, mountPoint).overlay(upper, work).dev(RootSetup.Pivot.DevMode.BIND).build())
                .build(), new Capture().io());
        try {
            Capture c = new Capture();
            for (int i = 0; i < 50 && !c.out().contains("marker"); i++) {
                c = new Capture();
                run(LaunchRequest.builder("sh", "-c", "id -u; hostname; cat /dev/shm/seen; cat /proc/self/uid_map")
                        .env(ENV).join(new JoinTarget(main.pid(), namespaces)).build(), c);
                Thread.sleep(20);
            }
            List<String> lines = c.out().lines().toList();
            assertEquals(List.of("0", "isolab-userns", "marker"), lines.subList(0, 3), c.out() + c.err());
            assertEquals(List.of("0", "100000", "65536"), List.of(lines.get(3).trim().split("\\s+")));
        } finally {
            main.kill(9);
            main.awaitExit(Duration.ofSeconds(10));
        }
    }

    @Test
    void servesManyProcessesAtOnce() throws Exception {
        List<LaunchedProcess> processes = new ArrayList<>();
        List<Capture> captures = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            Capture c = new Capture();
            captures.add(c);
            processes.add(launcher.launch(chroot("sh", "-c", "sleep 0.2; echo " + i).build(), c.io()));
        }
        for (int i = 0; i < processes.size(); i++) {
            assertEquals(ExitStatus.exited(0), processes.get(i).awaitExit(Duration.ofSeconds(30)).status());
            assertEquals(i + "\n", captures.get(i).out());
        }
        long ioThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("isolab-launcher-io-")).count();
        assertEquals(1, ioThreads, "one I/O thread per launcher");
    }

    @Test
    void findsAndKillsTheWholeSession() throws Exception {
        Capture c = new Capture();
        LaunchedProcess p = launcher.launch(chroot("sh", "-c", "sleep 600 | sleep 600").build(), c.io());
        int[] members = {};
        for (int i = 0; i < 100 && members.length < 3; i++) {
            Thread.sleep(10);
            members = launcher.sessionMembers(p.pid(), p.startTime());
        }
        assertEquals(3, members.length, "sh and the two sleeps of its pipeline; " + p + " " + c.err());
        assertEquals(3, launcher.signalSession(p.pid(), p.startTime(), 9).length);
        assertEquals(ExitStatus.killed(9), p.awaitExit(Duration.ofSeconds(10)).status());
        for (int i = 0; i < 100 && launcher.sessionMembers(p.pid(), p.startTime()).length > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, launcher.sessionMembers(p.pid(), p.startTime()).length);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static List<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).toList();
    }
}
