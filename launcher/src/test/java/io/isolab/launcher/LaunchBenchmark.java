package io.isolab.launcher;

import io.isolab.api.config.IsolabConfig;
import io.isolab.api.spi.OutputSink;
import io.isolab.api.spi.ProcessIo;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures launch-to-exit of the static probe's {@code true} from a warm JVM, every design in the same
 * run, interleaved in rounds so that drift on a shared machine hits all of them alike:
 * <ul>
 *   <li>{@code a-jna-clone-chroot}: design (a), {@link Launcher} (JNA, clone + chroot + setsid + exec, the
 *       I/O thread, pipes) — what the chroot backend does;</li>
 *   <li>{@code b-helper-chroot}: design (b), a ProcessBuilder starting the static helper, which chroots and
 *       execs the probe;</li>
 *   <li>{@code pb-default}: a plain ProcessBuilder launch of the same probe binary (JDK 17's default:
 *       posix_spawn of jspawnhelper);</li>
 *   <li>{@code pb-vfork} and {@code b-helper-chroot-vfork}: the same in a second JVM started with
 *       {@code -Djdk.lang.Process.launchMechanism=VFORK} (read once per JVM);</li>
 *   <li>{@code a-ns5-chroot}, {@code a-ns5-pivot-overlay}: design (a) with five new namespaces, then with
 *       the full linux-ns root (overlay, pivot_root, /proc, /dev, masks): for the linux-ns backend.</li>
 * </ul>
 * Run (as root): {@code mvn -B -q -o -pl launcher -am verify -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=LaunchBenchmarkTest -Disolab.bench=true}; the table goes to stdout and
 * {@code launcher/target/launch-benchmark.txt}.
 */
public final class LaunchBenchmark {
    static final String WORKER = "--worker";
    private static final OutputSink DISCARD = (b, off, len) -> { };

    private final Path cacheDir = IsolabConfig.standard().cacheDir();
    private final Path rootfs = WorkloadRootfs.ensure(cacheDir);
    private final Path probe = Probe.binary(cacheDir);
    private final Path scratch;
    private final Path helper;
    private final Launcher launcher;

    private LaunchBenchmark() throws IOException {
        scratch = Files.createTempDirectory("isolab-bench-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        helper = scratch.resolve("isolab-launch-helper");
        try (InputStream in = LaunchBenchmark.class.getResourceAsStream(
                "/META-INF/native/linux-x86_64/isolab-launch-helper")) {
            if (in == null) {
                throw new IllegalStateException("the helper is not on the test classpath: run test-compile first");
            }
            Files.copy(in, helper, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        launcher = Launcher.open(cacheDir);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(WORKER)) {
            worker();
            return;
        }
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        System.out.print(run(warmup, measured));
    }

    /** Warm-up, then {@code measured} launches per design in rounds of 20; returns the table. */
    static String run(int warmup, int measured) throws Exception {
        LaunchBenchmark bench = new LaunchBenchmark();
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.lang.Process.launchMechanism=VFORK", "-cp", System.getProperty("java.class.path"),
                LaunchBenchmark.class.getName(), WORKER).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (PrintWriter toWorker = new PrintWriter(worker.getOutputStream(), true, StandardCharsets.UTF_8);
             BufferedReader fromWorker = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                     StandardCharsets.UTF_8))) {
            List<String> local = List.of("a-jna-clone-chroot", "b-helper-chroot", "pb-default", "a-ns5-chroot",
                    "a-ns5-pivot-overlay");
            List<String> remote = List.of("pb-vfork", "b-helper-chroot-vfork");
            Map<String, List<Long>> samples = new LinkedHashMap<>();
            for (String d : local) {
                bench.measure(d, warmup);
            }
            for (String d : remote) {
                remoteMeasure(toWorker, fromWorker, d, warmup);
            }
            int round = 20;
            for (int done = 0; done < measured; done += round) {
                int n = Math.min(round, measured - done);
                for (String d : local) {
                    samples.computeIfAbsent(d, k -> new ArrayList<>()).addAll(bench.measure(d, n));
                }
                for (String d : remote) {
                    samples.computeIfAbsent(d, k -> new ArrayList<>()).addAll(remoteMeasure(toWorker, fromWorker, d, n));
                }
            }
            toWorker.println("quit");
            return table(samples, warmup, measured);
        } finally {
            worker.waitFor();
            bench.close();
        }
    }

    /** The VFORK JVM: reads "DESIGN N" lines, answers with N nanosecond samples on one line. */
    private static void worker() throws Exception {
        LaunchBenchmark bench = new LaunchBenchmark();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                String[] cmd = line.split(" ");
                String design = cmd[0].equals("pb-vfork") ? "pb-default" : "b-helper-chroot";
                List<Long> samples = bench.measure(design, Integer.parseInt(cmd[1]));
                out.println(String.join(" ", samples.stream().map(String::valueOf).toList()));
            }
        } finally {
            bench.close();
        }
    }

    private static List<Long> remoteMeasure(PrintWriter to, BufferedReader from, String design, int n) throws IOException {
        to.println(design + " " + n);
        String line = from.readLine();
        if (line == null) {
            throw new IOException("the VFORK worker JVM died");
        }
        return Arrays.stream(line.trim().split(" ")).map(Long::valueOf).toList();
    }

    private List<Long> measure(String design, int n) throws Exception {
        List<Long> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            samples.add(once(design));
        }
        return samples;
    }

    private long once(String design) throws Exception {
        switch (design) {
            case "a-jna-clone-chroot":
                return timeLaunch(chrootRequest().newSession(true).build());
            case "a-ns5-chroot":
                return timeLaunch(chrootRequest().namespaces(EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS,
                        Namespace.IPC, Namespace.NET)).build());
            case "a-ns5-pivot-overlay":
                return pivotOverlay();
            case "b-helper-chroot":
                return timeProcess(new ProcessBuilder(helper.toString(),
                        HexFormat.of().formatHex(RequestEncoder.encode(chrootRequest().newSession(true).build()))));
            case "pb-default":
                return timeProcess(new ProcessBuilder(probe.toString(), "true"));
            default:
                throw new IllegalArgumentException(design);
        }
    }

    private LaunchRequest.Builder chrootRequest() {
        return LaunchRequest.builder(Probe.PATH_IN_ROOTFS, "true").root(RootSetup.chroot(rootfs));
    }

    private long pivotOverlay() throws Exception {
        Path dir = Files.createTempDirectory(scratch, "ovl-");
        Path root = Files.createDirectory(dir.resolve("root"));
        LaunchRequest request = LaunchRequest.builder(Probe.PATH_IN_ROOTFS, "true")
                .namespaces(EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC, Namespace.NET))
                .hostname("isolab-bench").loopbackUp(true)
                .capabilities(LinuxCapability.OCI_DEFAULT).noNewPrivileges(true)
                .root(RootSetup.pivot(rootfs, root).overlay(Files.createDirectory(dir.resolve("upper")),
                        Files.createDirectory(dir.resolve("work"))).build())
                .build();
        long t = timeLaunch(request);
        deleteTree(dir);
        return t;
    }

    private long timeLaunch(LaunchRequest request) throws InterruptedException {
        long t0 = System.nanoTime();
        LaunchedProcess p = launcher.launch(request, new ProcessIo(DISCARD, DISCARD));
        int code = p.awaitExit(Duration.ofSeconds(30)).status().code();
        long t = System.nanoTime() - t0;
        if (code != 0) {
            throw new IllegalStateException("the probe failed: " + code);
        }
        return t;
    }

    private static long timeProcess(ProcessBuilder pb) throws Exception {
        long t0 = System.nanoTime();
        Process p = pb.start();
        int code = p.waitFor();
        long t = System.nanoTime() - t0;
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
        if (code != 0) {
            throw new IllegalStateException(pb.command().get(0) + " failed: " + code);
        }
        return t;
    }

    private static String table(Map<String, List<Long>> samples, int warmup, int measured) throws IOException {
        double base = percentile(samples.get("pb-default"), 50);
        double vfork = percentile(samples.get("pb-vfork"), 50);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "launch-to-exit of isolab-probe true, warm JVM (JDK %s, %d warm-up + %d measured"
                + " each, interleaved rounds of 20), kernel %s, %d cpus, load %s%n", System.getProperty("java.version"), warmup,
                measured, System.getProperty("os.version"), Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip()));
        s.append(String.format(Locale.ROOT, "%-24s %9s %9s %9s %11s %11s%n", "design", "p50 ms", "p99 ms", "mean ms",
                "p50/pb-def", "p50/pb-vfork"));
        samples.forEach((design, xs) -> s.append(String.format(Locale.ROOT, "%-24s %9.3f %9.3f %9.3f %11.2f %11.2f%n",
                design, percentile(xs, 50) / 1e6, percentile(xs, 99) / 1e6,
                xs.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6,
                percentile(xs, 50) / base, percentile(xs, 50) / vfork)));
        return s.toString();
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Long> xs, double p) {
        long[] sorted = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private void close() throws IOException {
        launcher.close();
        deleteTree(scratch);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
