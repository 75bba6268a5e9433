package io.isolab.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkloadRootfsTest {
    private static final Path NO_BUSYBOX = Path.of("/no/such/isolab-busybox");
    private Path cache;
    private ProbeRunner runner;

    @BeforeEach
    void createCache() throws IOException {
        cache = Files.createTempDirectory("isolab-test-");
        runner = new ProbeRunner(cache);
    }

    @AfterEach
    void deleteCache() {
        ProbeRunner.deleteTree(cache);
    }

    private static boolean hostHasStaticBusybox() throws IOException {
        return Files.isRegularFile(WorkloadRootfs.HOST_BUSYBOX) && Elf.isStatic(Files.readAllBytes(WorkloadRootfs.HOST_BUSYBOX));
    }

    @Test
    void laysOutTheProbeEtcAndMountPoints() throws IOException {
        Path root = WorkloadRootfs.ensure(cache);
        assertEquals(cache.resolve("rootfs"), root.getParent());
        assertTrue(root.getFileName().toString().matches("workload-[0-9a-f]{16}"), root::toString);

        Path probe = root.resolve(Probe.PATH_IN_ROOTFS.substring(1));
        assertArrayEquals(Probe.bytes(), Files.readAllBytes(probe));
        assertEquals(0755, mode(probe));
        assertEquals(Path.of("usr/bin/isolab-probe"), Files.readSymbolicLink(root.resolve("isolab-probe")), "relative link");
        assertTrue(Files.isSameFile(probe, root.resolve("isolab-probe")));

        assertEquals(List.of("root:x:0:0:root:/root:/bin/sh", "nobody:x:65534:65534:nobody:/nonexistent:/bin/false"),
                Files.readAllLines(root.resolve("etc/passwd")));
        assertEquals(List.of("root:x:0:", "nogroup:x:65534:"), Files.readAllLines(root.resolve("etc/group")));
        assertTrue(Files.readAllLines(root.resolve("etc/hosts")).contains("127.0.0.1\tlocalhost"));
        for (String file : List.of("etc/passwd", "etc/group", "etc/hosts")) {
            assertEquals(0644, mode(root.resolve(file)), file);
        }

        assertEquals(0755, mode(root));
        for (String dir : List.of("bin", "dev", "etc", "mnt", "proc", "root", "run", "sys", "usr", "usr/bin", "var")) {
            assertEquals(0755, mode(root.resolve(dir)), dir);
        }
        for (String dir : List.of("tmp", "var/tmp")) {
            assertEquals(01777, mode(root.resolve(dir)), dir + " is sticky and world-writable");
        }
        for (String mountPoint : List.of("dev", "mnt", "proc", "root", "run", "sys", "tmp", "var/tmp")) {
            assertEquals(List.of(), list(root.resolve(mountPoint)), mountPoint + " is empty");
        }
    }

    @Test
    void linksEveryBusyboxApplet() throws IOException {
        assumeTrue(hostHasStaticBusybox(), "the host has no static " + WorkloadRootfs.HOST_BUSYBOX);
        Path root = WorkloadRootfs.ensure(cache);
        Path bin = root.resolve("bin");
        assertArrayEquals(Files.readAllBytes(WorkloadRootfs.HOST_BUSYBOX), Files.readAllBytes(bin.resolve("busybox")));
        Set<String> applets = new TreeSet<>(runner.exec(WorkloadRootfs.HOST_BUSYBOX.toString(), "--list").stdout().lines().toList());
        applets.remove("busybox");
        assertTrue(applets.containsAll(List.of("sh", "ls", "cat")), applets::toString);
        Set<String> links = new TreeSet<>(list(bin));
        links.remove("busybox");
        assertEquals(applets, links);
        for (String applet : links) {
            assertEquals(Path.of("busybox"), Files.readSymbolicLink(bin.resolve(applet)), applet);
        }
    }

    @Test
    void worksAsARootInAChroot() {
        assumeTrue(ProbeRunner.isRoot(), "needs root for chroot");
        var chroot = ProbeRunner.tool("chroot");
        assumeTrue(chroot.isPresent(), "needs chroot(8)");
        Path root = WorkloadRootfs.ensure(cache);
        ProbeRunner.Result r = runner.exec(chroot.get().toString(), root.toString(), "/isolab-probe", "print", "in", "chroot");
        assertEquals("in\n", r.stdout(), r::describe);
        if (Files.exists(root.resolve("bin/busybox"))) {
            ProbeRunner.Result sh = runner.exec(chroot.get().toString(), root.toString(), "/bin/sh", "-c",
                    "echo $((6 * 7)); ls /usr/bin");
            assertEquals("42\nisolab-probe\n", sh.stdout(), sh::describe);
        }
    }

    @Test
    void isBuiltOnceAndReused() throws IOException {
        Path first = WorkloadRootfs.ensure(cache);
        Object probeFile = Files.readAttributes(first.resolve("usr/bin/isolab-probe"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        Path second = WorkloadRootfs.ensure(cache);
        assertEquals(first, second);
        assertEquals(probeFile, Files.readAttributes(second.resolve("usr/bin/isolab-probe"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "not rebuilt");
        assertEquals(List.of(first.getFileName().toString()), list(cache.resolve("rootfs")), "no temporary tree left");
    }

    @Test
    void isDeterministic() throws IOException {
        Path a = WorkloadRootfs.ensure(cache.resolve("a"));
        Path b = WorkloadRootfs.ensure(cache.resolve("b"));
        assertEquals(a.getFileName(), b.getFileName());
        List<String> tree = describe(a);
        assertEquals(tree, describe(b));
        assertTrue(tree.stream().allMatch(line -> line.contains(" t=0 ")), "times fixed at the epoch");
    }

    @Test
    void isRebuiltWhenAnInputChanges() throws IOException {
        byte[] probe = Probe.bytes();
        Path original = WorkloadRootfs.ensure(cache, probe, NO_BUSYBOX);
        List<String> originalTree = describe(original);
        byte[] changed = java.util.Arrays.copyOf(probe, probe.length + 1);
        Path rebuilt = WorkloadRootfs.ensure(cache, changed, NO_BUSYBOX);
        assertNotEquals(original, rebuilt);
        assertArrayEquals(changed, Files.readAllBytes(rebuilt.resolve("usr/bin/isolab-probe")));
        assertEquals(originalTree, describe(original), "the old tree is left as it was: it may be in use");
        if (hostHasStaticBusybox()) {
            assertNotEquals(original, WorkloadRootfs.ensure(cache, probe, WorkloadRootfs.HOST_BUSYBOX), "busybox is an input");
        }
    }

    @Test
    void skipsABusyboxThatIsMissingOrDynamic() throws IOException {
        Path without = WorkloadRootfs.ensure(cache, Probe.bytes(), NO_BUSYBOX);
        assertEquals(List.of(), list(without.resolve("bin")));
        // The JDK's launcher is always dynamically linked: it would need the host's ld.so.
        Path dynamic = Path.of(System.getProperty("java.home"), "bin", "java");
        assertEquals(without, WorkloadRootfs.ensure(cache, Probe.bytes(), dynamic), "a dynamic busybox counts as none");
    }

    @Test
    void concurrentBuildersAgreeOnOneTree() throws Exception {
        int builders = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(builders);
        try {
            List<Future<Path>> built = new ArrayList<>();
            for (int i = 0; i < builders; i++) {
                built.add(pool.submit(() -> {
                    start.await();
                    return WorkloadRootfs.ensure(cache);
                }));
            }
            start.countDown();
            Set<Path> roots = new TreeSet<>();
            for (Future<Path> f : built) {
                roots.add(f.get());
            }
            assertEquals(1, roots.size(), roots::toString);
            Path root = roots.iterator().next();
            assertEquals(List.of(root.getFileName().toString()), list(cache.resolve("rootfs")), "losers removed their copies");
            assertTrue(Files.isExecutable(root.resolve("usr/bin/isolab-probe")));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void elfTellsStaticFromDynamic() throws IOException {
        byte[] probe = Probe.bytes();
        assertTrue(Elf.isStatic(probe), "the probe is built -static");
        assertFalse(Elf.isStatic(Files.readAllBytes(Path.of(System.getProperty("java.home"), "bin", "java"))));
        // The same binary with its first program header turned into PT_INTERP.
        byte[] patched = probe.clone();
        int phoff = (int) java.nio.ByteBuffer.wrap(probe).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0x20);
        patched[phoff] = 3;
        patched[phoff + 1] = patched[phoff + 2] = patched[phoff + 3] = 0;
        assertFalse(Elf.isStatic(patched));
        assertFalse(Elf.isStatic(java.util.Arrays.copyOf(probe, 100)), "program headers cut off");
        assertFalse(Elf.isStatic("#!/bin/sh\necho not an ELF file at all, just long enough\n".getBytes()));
        assertFalse(Elf.isStatic(new byte[0]));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Every entry: path, type, mode, time and content or link target. */
    private static List<String> describe(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.sorted().map(p -> {
                try {
                    String what = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                            : Files.isDirectory(p) ? "dir" : PackagedExecutable.sha256(Files.readAllBytes(p));
                    return root.relativize(p) + " " + Integer.toOctalString(mode(p))
                            + " t=" + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() + " " + what;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
