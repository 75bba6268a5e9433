package io.isolab.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backends;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.targets.Target;
import io.isolab.benchmarks.targets.Targets;
import io.isolab.benchmarks.workload.Workload;
import io.isolab.workload.WorkloadRootfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real run with tiny counts: native and every peer installed here (no isolab backend: this module's tests
 * load none), on the real workload rootfs and probe. It checks that every available target produced
 * samples and that nothing was left behind; it asserts no timing.
 */
class SmokeTest {
    private static Path dir;

    @BeforeAll
    static void dirs() throws IOException {
        dir = Files.createTempDirectory("isolab-bench-smoke-");
    }

    @AfterAll
    static void clean() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void nativeAndThePeersRunEveryWorkloadAndLeaveNothingBehind() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the peers (crun, runc, runsc) need root here");
        IsolabConfig config = IsolabConfig.standard().withDirs(dir.resolve("state"), dir.resolve("cache"), dir.resolve("plugins"));
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        BenchOptions options = new BenchOptions(List.of("all"), List.of(Workload.values()), 2, 0, true, dir.resolve("out"),
                Duration.ZERO, 2, 2, Duration.ofMinutes(1), 7, true, null);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BenchResults results;
        try (Backends none = Backends.of(config, List.of())) {
            List<Target> targets = Targets.discover(none, config.cacheDir(), rootfs, scratch);
            results = Harness.bench(targets, options, new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false));
        }
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("about"), "an estimate up front: " + said);

        for (String file : List.of("results.json", "summary.csv", "report.html")) {
            assertTrue(Files.size(options.out().resolve(file)) > 0, file);
        }
        BenchResults back = BenchResults.read(options.out().resolve("results.json"));
        assertEquals(results.cells().size(), back.cells().size());
        assertFalse(back.environment().kernel().isEmpty());

        for (Workload w : Workload.values()) {
            Cell nativeCell = results.cell("native", w.key()).orElseThrow();
            assertEquals(Cell.MEASURED, nativeCell.status(), w + " on native: " + nativeCell.reason());
            assertEquals(2, nativeCell.okSamples().size(), w.key());
        }
        assertTrue(results.cell("native", "cpu").orElseThrow().okSamples().get(0).probe().has("ops_per_sec"),
                "the probe's own JSON is kept");
        for (var t : results.targets()) {
            if (!t.available() || t.kind().equals("backend")) {
                continue;
            }
            Cell startup = results.cell(t.id(), "startup").orElseThrow();
            assertEquals(Cell.MEASURED, startup.status(), t.id() + ": " + startup.reason());
        }
        assertTrue(results.matrix().stream().anyMatch(r -> r.target().equals("host") && r.available()));
        assertEquals(List.of(), leftovers());
    }

    /** isolab-named cgroups, mounts and processes: runtimes' containers are named isolab-<peer>-<hex>. */
    private static List<String> leftovers() throws IOException {
        List<String> found = new java.util.ArrayList<>();
        try (Stream<Path> cgroups = Files.walk(Path.of("/sys/fs/cgroup"), 3)) {
            cgroups.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith("isolab-")
                    && Targets.PEERS.stream().anyMatch(peer -> p.getFileName().toString().startsWith("isolab-" + peer + "-")))
                    .forEach(p -> found.add("cgroup " + p));
        } catch (java.io.UncheckedIOException e) {
            // a cgroup removed while walking
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains(dir.toString())) {
                found.add("mount " + line);
            }
        }
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))
                .forEach(p -> found.add("process " + p.pid() + " " + p.info().commandLine().orElse("")));
        return found;
    }
}
