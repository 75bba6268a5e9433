package io.isolab.benchmarks.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backends;
import io.isolab.benchmarks.BenchOptions;
import io.isolab.benchmarks.Harness;
import io.isolab.benchmarks.Progress;
import io.isolab.benchmarks.matrix.MatrixRow;
import io.isolab.benchmarks.matrix.Property;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.results.Sample;
import io.isolab.benchmarks.workload.Workload;
import io.isolab.workload.WorkloadRootfs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backend path of the harness through the real io.isolab.api lifecycle (Backends, Backend, Sandbox),
 * with the stand-in {@link ChrootCommandProvider}: phases reach the samples, footprint finds the chrooted
 * process, density launches several at once, and the matrix catches the stand-in's false PID claim.
 */
class BackendTargetTest {
    private Path dir;

    @BeforeEach
    void dir() throws IOException {
        dir = Files.createTempDirectory("isolab-bench-backend-");
    }

    @AfterEach
    void clean() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aBackendIsBenchmarkedAndProbedThroughTheApi() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "chroot(8) needs root");
        IsolabConfig config = IsolabConfig.standard().withDirs(dir.resolve("state"), dir.resolve("cache"), dir.resolve("plugins"));
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        BenchOptions options = new BenchOptions(List.of("test-chroot"),
                List.of(Workload.STARTUP, Workload.SYSCALL, Workload.FOOTPRINT, Workload.DENSITY), 2, 1, true, dir.resolve("out"),
                Duration.ZERO, 2, 3, Duration.ofMinutes(1), 3, true, null);
        BenchResults results;
        try (Backends backends = Backends.of(config, List.of(new ChrootCommandProvider()))) {
            List<Target> targets = Targets.discover(backends, config.cacheDir(), rootfs, Files.createDirectories(dir.resolve("s")));
            results = Harness.bench(targets, options, new Progress(new PrintStream(OutputStream.nullOutputStream()), false));
        }
        Cell startup = results.cell("test-chroot", "startup").orElseThrow();
        assertEquals(Cell.MEASURED, startup.status(), startup.reason());
        for (Sample s : startup.okSamples()) {
            assertEquals(List.of("create", "start", "run", "destroy"), List.copyOf(s.phases().keySet()), "in the order they happened");
        }
        assertTrue(results.cell("test-chroot", "syscall").orElseThrow().okSamples().get(0).probe().has("ns_per_call"));
        Sample footprint = results.cell("test-chroot", "footprint").orElseThrow().okSamples().get(0);
        assertTrue(footprint.host().get("processes") >= 1, "the chrooted probe is found by its root: " + footprint.host());
        assertTrue(footprint.host().get("host_pss_bytes") > 0);
        Sample density = results.cell("test-chroot", "density").orElseThrow().okSamples().get(0);
        assertEquals(3.0, density.host().get("launched"));
        assertEquals(0.0, density.host().get("failed"));
        assertFalse(results.cell("crun", "startup").isPresent(), "only what was asked for runs, and native");

        MatrixRow row = results.matrix().stream().filter(r -> r.target().equals("test-chroot")).findFirst().orElseThrow();
        assertEquals(List.of(Property.PID), row.disagreements(), "the stand-in claims PID isolation it lacks: " + row);
        assertEquals(Boolean.FALSE, row.findings().get(Property.ESCAPE_BLOCKED).isolated(), "chroot(8) is escapable");
        assertEquals(Boolean.TRUE, row.findings().get(Property.MARKER_HIDDEN).isolated());
    }

    @Test
    void aBackendsStartupIsMeasuredFromAWarmJvm() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "chroot(8) needs root");
        IsolabConfig config = IsolabConfig.standard().withDirs(dir.resolve("state"), dir.resolve("cache"), dir.resolve("plugins"));
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        // not quick, no warm-up rounds: only the launches that warm this JVM for a backend come before
        BenchOptions options = new BenchOptions(List.of("test-chroot"), List.of(Workload.STARTUP), 2, 0, false,
                dir.resolve("out"), Duration.ofSeconds(1), 2, 3, Duration.ofMinutes(1), 3, false, null);
        BenchResults results;
        try (Backends backends = Backends.of(config, List.of(new ChrootCommandProvider()))) {
            List<Target> targets = Targets.discover(backends, config.cacheDir(), rootfs, Files.createDirectories(dir.resolve("s")));
            results = Harness.bench(targets, options, new Progress(new PrintStream(OutputStream.nullOutputStream()), false));
        }
        assertTrue(results.cell("test-chroot", "startup").orElseThrow().warmups() > 0, "the backend's launch path was warmed");
        assertEquals(0, results.cell("native", "startup").orElseThrow().warmups(), "a peer runs no Java of this JVM's");
    }
}
