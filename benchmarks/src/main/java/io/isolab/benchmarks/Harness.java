package io.isolab.benchmarks;

import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backends;
import io.isolab.benchmarks.matrix.MatrixProbe;
import io.isolab.benchmarks.matrix.MatrixRow;
import io.isolab.benchmarks.report.HtmlReport;
import io.isolab.benchmarks.report.SummaryCsv;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.targets.Target;
import io.isolab.benchmarks.targets.Targets;
import io.isolab.workload.WorkloadRootfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What {@code isolab bench} and {@code isolab probe} do, for the CLI and for tests. */
public final class Harness {
    private Harness() {
    }

    /** Where the three files of a run are. */
    public record Outputs(Path results, Path csv, Path html) {
    }

    /** Runs the benchmark and writes results.json, summary.csv and report.html into {@code options.out()}. */
    public static BenchResults bench(IsolabConfig config, BenchOptions options, Progress progress) throws IOException, InterruptedException {
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        Path scratch = Files.createTempDirectory("isolab-bench-");
        try (Backends backends = Backends.load(config)) {
            List<Target> all = Targets.discover(backends, config.cacheDir(), rootfs, scratch);
            // Ctrl-C or a TERM mid-run: kill what runs, delete peers' containers, remove the scratch dir
            Thread onSignal = new Thread(() -> {
                io.isolab.benchmarks.targets.ProcessTarget.stopStarting();
                all.forEach(Target::close); // runtimes delete their containers while they still run
                List<ProcessHandle> left = ProcessHandle.current().descendants().toList();
                left.forEach(ProcessHandle::destroyForcibly);
                for (ProcessHandle p : left) {
                    try {
                        p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // still going after 5 s: its cgroup stays, and the before-stop check shows it
                    }
                }
                all.forEach(Target::close); // now empty, their cgroups can go
                deleteTree(scratch);
            }, "isolab-bench-cleanup");
            Runtime.getRuntime().addShutdownHook(onSignal);
            try {
                return bench(all, options, progress);
            } finally {
                Runtime.getRuntime().removeShutdownHook(onSignal);
                all.forEach(Target::close);
            }
        } finally {
            deleteTree(scratch);
        }
    }

    /** The benchmark over given targets (tests pass their own). */
    public static BenchResults bench(List<Target> all, BenchOptions options, Progress progress) throws IOException, InterruptedException {
        checkIds(all, options.targets());
        List<Target> chosen = all.stream().filter(t -> options.wants(t.id())).toList();
        Target host = chosen.stream().filter(t -> t.id().equals("native")).findFirst().orElseThrow();
        BenchResults results = new Bench(options, chosen, progress).run(() -> options.matrix()
                ? new MatrixProbe(options.timeout(), progress::say).measure(host, chosen) : List.of());
        write(results, options.out());
        return results;
    }

    /** Measures the isolation matrix on the host and every target in {@code ids} (or all). */
    public static List<MatrixRow> probe(IsolabConfig config, List<String> ids, Duration timeout, Progress progress)
            throws IOException, InterruptedException {
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        Path scratch = Files.createTempDirectory("isolab-probe-");
        try (Backends backends = Backends.load(config)) {
            List<Target> all = Targets.discover(backends, config.cacheDir(), rootfs, scratch);
            try {
                checkIds(all, ids);
                List<Target> chosen = all.stream().filter(t -> ids.contains("all") || ids.contains(t.id())
                        || t.id().equals("native")).toList();
                return new MatrixProbe(timeout, progress::say).measure(chosen.get(0), chosen);
            } finally {
                all.forEach(Target::close);
            }
        } finally {
            deleteTree(scratch);
        }
    }

    public static Outputs write(BenchResults results, Path dir) throws IOException {
        Files.createDirectories(dir);
        Outputs o = new Outputs(dir.resolve("results.json"), dir.resolve("summary.csv"), dir.resolve("report.html"));
        results.write(o.results());
        Files.writeString(o.csv(), SummaryCsv.of(results));
        Files.writeString(o.html(), HtmlReport.render(results));
        return o;
    }

    private static void checkIds(List<Target> all, List<String> ids) {
        Set<String> known = new TreeSet<>();
        all.forEach(t -> known.add(t.id()));
        List<String> unknown = new ArrayList<>();
        for (String id : ids) {
            if (!id.equals("all") && !known.contains(id)) {
                unknown.add(id);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("--backends: unknown " + String.join(", ", unknown) + " (known: all, "
                    + String.join(", ", known) + ")");
        }
    }

    /** Removes a scratch tree without crossing into another filesystem (a runtime's leaked mount). */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Object device = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    if (!device.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                        throw new IOException(d + " is a mount point: a peer leaked it");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
