package io.isolab.backend.chroot;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.Timings;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backend;
import io.isolab.api.host.Backends;
import io.isolab.api.spi.ProcessIo;
import io.isolab.launcher.LaunchRequest;
import io.isolab.launcher.Launcher;
import io.isolab.launcher.RootSetup;
import io.isolab.workload.Probe;
import io.isolab.workload.WorkloadRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chroot backend's launch, measured the way a user sees it, against a plain ProcessBuilder launch of
 * the same static probe in the same run (interleaved rounds). A measurement, not a test: run with
 * {@code mvn -B -q -o -pl backend-chroot -am verify -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=ChrootLaunchBenchmarkTest -Disolab.bench=true}; the table goes to stdout and
 * {@code backend-chroot/target/chroot-launch-benchmark.txt}.
 */
class ChrootLaunchBenchmarkTest {

    @Test
    void measuresTheChrootLaunch() throws Exception {
        assumeTrue(Boolean.getBoolean("isolab.bench"), "a measurement, not a test: run with -Disolab.bench=true");
        IsolabConfig config = IsolabConfig.standard();
        Path probe = Probe.binary(config.cacheDir());
        SandboxSpec spec = SandboxSpec.builder(WorkloadRootfs.ensure(config.cacheDir())).command(Probe.PATH_IN_ROOTFS, "true").build();
        int warmup = Integer.getInteger("isolab.bench.warmup", 300);
        int runs = Integer.getInteger("isolab.bench.runs", 200);
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        try (Backends backends = Backends.of(config, List.of(new ChrootProvider()));
             Backend backend = backends.open("chroot");
             Launcher launcher = Launcher.open(config.cacheDir())) {
            for (int i = 0; i < warmup; i++) {
                backend.run(spec);
                bareLaunch(launcher, spec);
                processBuilder(probe);
            }
            for (int done = 0; done < runs; done += 20) {
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    RunResult r = backend.run(spec);
                    samples.computeIfAbsent("chroot Backend.run (all)", k -> new ArrayList<>()).add(System.nanoTime() - t0);
                    samples.computeIfAbsent("chroot start+run", k -> new ArrayList<>())
                            .add(r.timings().get(Timings.START) + r.timings().get(Timings.RUN));
                }
                for (int i = 0; i < 20; i++) {
                    samples.computeIfAbsent("launcher, same request", k -> new ArrayList<>()).add(bareLaunch(launcher, spec));
                }
                for (int i = 0; i < 20; i++) {
                    samples.computeIfAbsent("pb-default", k -> new ArrayList<>()).add(processBuilder(probe));
                }
            }
        }
        double base = percentile(samples.get("pb-default"), 50);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "isolab-probe true, warm JVM, %d warm-up + %d measured each, rounds of 20, load %s%n%-28s %8s %8s %10s%n",
                warmup, runs, Files.readString(Path.of("/proc/loadavg")).strip(), "what", "p50 ms", "p99 ms", "p50/pb-def"));
        samples.forEach((k, xs) -> s.append(String.format(Locale.ROOT, "%-28s %8.3f %8.3f %10.2f%n", k,
                percentile(xs, 50) / 1e6, percentile(xs, 99) / 1e6, percentile(xs, 50) / base)));
        System.out.print(s);
        Files.writeString(Path.of("target", "chroot-launch-benchmark.txt"), s.toString());
    }

    /** What the backend's start and wait do, without the host's bookkeeping (lease, directory, record). */
    private static long bareLaunch(Launcher launcher, SandboxSpec spec) throws InterruptedException {
        LaunchRequest.Builder request = LaunchRequest.builder(spec.process().argv()).env(spec.process().env())
                .root(RootSetup.chroot(spec.rootfs())).newSession(true);
        ChrootSandbox.rlimits(spec.limits(), new ChrootSettings(null, null)).forEach(request::rlimit);
        long t0 = System.nanoTime();
        launcher.launch(request.build(), new ProcessIo((b, o, n) -> { }, (b, o, n) -> { })).awaitExit(null);
        return System.nanoTime() - t0;
    }

    private static long processBuilder(Path probe) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(probe.toString(), "true").start();
        p.waitFor();
        long t = System.nanoTime() - t0;
        p.getInputStream().close();
        p.getErrorStream().close();
        p.getOutputStream().close();
        return t;
    }

    private static double percentile(List<Long> xs, double p) {
        long[] sorted = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1))];
    }
}
