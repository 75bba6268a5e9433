package io.isolab.backend.linuxns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isolab.api.ExitStatus;
import io.isolab.api.NetworkMode;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.Timings;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backend;
import io.isolab.api.host.Backends;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import io.isolab.backend.linuxns.cgroup.CgroupLayout;
import io.isolab.launcher.JoinTarget;
import io.isolab.launcher.LaunchRequest;
import io.isolab.launcher.Launcher;
import io.isolab.launcher.Namespace;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The launch target, measured: launch-to-exit (the api's create + start + run phases) of the
 * static probe's {@code true} in the workload rootfs with new namespaces and a memory + pids cgroup, from
 * a warm JVM; also the whole {@code Backend.run} (destroy included) and destroy alone. Against, in the same
 * run, interleaved in rounds of 20 ({@code -Disolab.bench.round}) so drift on a shared machine hits all alike:
 * <ul>
 *   <li>{@code ns-floor}: a minimal static C launcher (clone of five namespaces with CLONE_VM|CLONE_VFORK,
 *       chroot, exec, wait; src/test/c/ns-floor.c), timed as a whole process;</li>
 *   <li>{@code crun run}: crun 1.x with the same rootfs read-only, its default five namespaces and a
 *       64 MiB memory + 64 pids cgroup. crun refuses this hybrid host, so it runs in a private mount
 *       namespace without /sys/fs/cgroup/unified (v1 only), joined by the launcher before exec.</li>
 * </ul>
 * Both are started by the same harness: the native launcher with nothing to set up (cheaper than a
 * ProcessBuilder, so the comparison favours them). A measurement, not a test: run as root with
 * {@code mvn -B -q -o -pl backend-linux-ns -am verify -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=LinuxNsLaunchBenchmarkTest -Disolab.bench=true}; the table goes to stdout and
 * {@code backend-linux-ns/target/linux-ns-launch-benchmark.txt}.
 */
class LinuxNsLaunchBenchmarkTest {
    private static final ProcessIo DISCARD = new ProcessIo((b, o, n) -> { }, (b, o, n) -> { });
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    private static final String FLOOR = "ns-floor (5 ns + chroot)";
    private static final String CRUN = "crun run (5 ns + mem/pids cg)";
    private static final String HEADLINE = "linux-ns create+start+run";

    @Test
    void measuresTheLaunch() throws Exception {
        assumeTrue(Boolean.getBoolean("isolab.bench"), "a measurement, not a test: run with -Disolab.bench=true");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        IsolabConfig config = IsolabConfig.standard();
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        SandboxSpec spec = SandboxSpec.builder(rootfs).command(Probe.PATH_IN_ROOTFS, "true").memory(64L << 20).maxPids(64)
                .network(NetworkMode.NONE).build();
        int warmup = Integer.getInteger("isolab.bench.warmup", 300);
        int runs = Integer.getInteger("isolab.bench.runs", 200);
        int round = Integer.getInteger("isolab.bench.round", 20); // 1: launch by launch, as isolab bench does
        Path scratch = Files.createTempDirectory("isolab-bench-linuxns-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String tag = HexFormat.of().formatHex(ThreadLocalRandom.current().ints(4).collect(
                java.io.ByteArrayOutputStream::new, (o, i) -> o.write(i), (a, b) -> { }).toByteArray());
        Process crunNamespace = null;
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        try (Backends backends = Backends.of(config, List.of(new LinuxNsProvider()));
             Backend backend = backends.open("linux-ns");
             Launcher launcher = Launcher.open(config.cacheDir())) {
            Path floor = extract(scratch, "ns-floor");
            LaunchRequest floorRequest = LaunchRequest.builder(floor.toString(), rootfs.toString(), Probe.PATH_IN_ROOTFS, "true").env(ENV).build();
            Path bundle = crunBundle(scratch, rootfs);
            JoinTarget crunMounts = null;
            if (CgroupLayout.ofThisProcess().mode() == CgroupLayout.Mode.HYBRID) {
                crunNamespace = withoutUnifiedCgroup();
                crunMounts = new JoinTarget((int) crunNamespace.pid(), EnumSet.of(Namespace.MOUNT));
            }
            int[] container = {0};
            JoinTarget joined = crunMounts;
            Measure crun = () -> {
                LaunchRequest.Builder b = LaunchRequest.builder("crun", "--root", scratch.resolve("crun-state").toString(),
                        "run", "--bundle", bundle.toString(), "isolab-bench-crun-" + tag + "-" + container[0]++).env(ENV);
                if (joined != null) {
                    b.join(joined);
                }
                return timed(launcher, b.build());
            };
            Map<String, Measure> external = new LinkedHashMap<>();
            external.put(FLOOR, () -> timed(launcher, floorRequest));
            external.put(CRUN, crun);
            for (int i = 0; i < warmup; i++) {
                backend.run(spec);
                for (Measure m : external.values()) {
                    m.nanos();
                }
            }
            for (int done = 0; done < runs; done += round) {
                for (int i = 0; i < round; i++) {
                    long t0 = System.nanoTime();
                    RunResult r = backend.run(spec);
                    long all = System.nanoTime() - t0;
                    assertEquals(ExitStatus.exited(0), r.exit());
                    Timings t = r.timings();
                    add(samples, HEADLINE, t.get(Timings.CREATE) + t.get(Timings.START) + t.get(Timings.RUN));
                    add(samples, "linux-ns Backend.run (all)", all);
                    for (String phase : List.of(Timings.CREATE, Timings.START, Timings.RUN, Timings.DESTROY)) {
                        add(samples, "  " + phase, t.get(phase));
                    }
                }
                for (Map.Entry<String, Measure> e : external.entrySet()) {
                    for (int i = 0; i < round; i++) {
                        add(samples, e.getKey(), e.getValue().nanos());
                    }
                }
            }
        } finally {
            if (crunNamespace != null) {
                crunNamespace.destroyForcibly().waitFor();
            }
            try (Stream<Path> paths = Files.walk(scratch)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        double floorP50 = percentile(samples.get(FLOOR), 50);
        double crunP50 = percentile(samples.get(CRUN), 50);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "isolab-probe true, warm JVM, %d warm-up + %d measured each, rounds of %d, load %s%n"
                + "%-32s %8s %8s %9s %9s%n", warmup, runs, round, Files.readString(Path.of("/proc/loadavg")).strip(),
                "what", "p50 ms", "p99 ms", "/floor", "/crun"));
        samples.forEach((k, xs) -> s.append(String.format(Locale.ROOT, "%-32s %8.3f %8.3f %9.2f %9.2f%n", k,
                percentile(xs, 50) / 1e6, percentile(xs, 99) / 1e6, percentile(xs, 50) / floorP50,
                percentile(xs, 50) / crunP50)));
        System.out.print(s);
        Files.writeString(Path.of("target", "linux-ns-launch-benchmark.txt"), s.toString());
    }

    @FunctionalInterface
    private interface Measure {
        long nanos() throws Exception;
    }

    private static long timed(Launcher launcher, LaunchRequest request) throws InterruptedException {
        long t0 = System.nanoTime();
        ProcessExit exit = launcher.launch(request, DISCARD).awaitExit(null);
        long t = System.nanoTime() - t0;
        assertEquals(ExitStatus.exited(0), exit.status(), () -> String.join(" ", request.argv()));
        return t;
    }

    private static void add(Map<String, List<Long>> samples, String what, long nanos) {
        samples.computeIfAbsent(what, k -> new ArrayList<>()).add(nanos);
    }

    private static Path extract(Path dir, String name) throws Exception {
        Path file = dir.resolve(name);
        try (InputStream in = LinuxNsLaunchBenchmarkTest.class.getResourceAsStream("/META-INF/native/linux-x86_64/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the test classpath: run test-compile first");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** crun's own default spec (crun spec), changed to run the probe's true in the rootfs with the same limits. */
    private static Path crunBundle(Path scratch, Path rootfs) throws Exception {
        Path bundle = Files.createDirectory(scratch.resolve("bundle"));
        Process spec = new ProcessBuilder("crun", "spec").directory(bundle.toFile()).inheritIO().start();
        assertEquals(0, spec.waitFor(), "crun spec");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        args.add(Probe.PATH_IN_ROOTFS);
        args.add("true");
        ObjectNode root = config.putObject("root");
        root.put("path", rootfs.toString());
        root.put("readonly", true);
        ObjectNode resources = (ObjectNode) config.get("linux").get("resources");
        resources.putObject("memory").put("limit", 64L << 20);
        resources.putObject("pids").put("limit", 64);
        json.writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    /** A process whose mount namespace has no cgroup2 mount: there crun sees a v1 host it accepts. */
    private static Process withoutUnifiedCgroup() throws Exception {
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "umount /sys/fs/cgroup/unified && echo ready && exec sleep 100000").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "unshare + umount /sys/fs/cgroup/unified");
        return p;
    }

    private static double percentile(List<Long> xs, double p) {
        long[] sorted = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1))];
    }
}
