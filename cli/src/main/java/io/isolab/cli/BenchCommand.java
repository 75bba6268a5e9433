package io.isolab.cli;

import io.isolab.benchmarks.BenchOptions;
import io.isolab.benchmarks.Harness;
import io.isolab.benchmarks.Progress;
import io.isolab.benchmarks.report.TextTable;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.stats.Comparison;
import io.isolab.benchmarks.workload.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the same workloads (the probe) on every backend, next to native, the C floor launcher and"
                + " the peers installed here (crun, runc, bwrap, runsc, raw qemu), and writes results.json (every raw"
                + " sample and the machine), summary.csv and report.html.",
                "Example: isolab bench --quick    |    isolab bench --compare old/results.json new/results.json"})
final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    IsolabCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--backends"}, paramLabel = "IDS", split = ",",
            description = "Backends and peers to run (e.g. chroot,linux-ns,crun), or all (default). native always runs.")
    List<String> targets = new ArrayList<>(List.of("all"));

    @Option(names = {"-w", "--workloads"}, paramLabel = "KEYS",
            description = "Workloads: startup, cpu, memory, syscall, spawn, io, net, footprint, density, or all (default).")
    String workloads = "all";

    @Option(names = "--repeat", paramLabel = "N", description = "Measured rounds, at most (default 30; --quick 10).")
    Integer repeat;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up rounds, discarded (default 3; --quick 1).")
    Integer warmup;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output directory (default isolab-bench-<time>).")
    Path out;

    @Option(names = "--quick", description = "Small sizes and a time budget per cell: the default targets in under 3 minutes.")
    boolean quick;

    @Option(names = "--no-matrix", description = "Skip the isolation probes of the report's matrix.")
    boolean noMatrix;

    @Option(names = "--compare", arity = "2", paramLabel = "FILE",
            description = "Compare two results.json files (A then B) instead of running: what changed, with significance.")
    List<Path> compare;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (compare != null) {
            BenchResults a = read(compare.get(0));
            BenchResults b = read(compare.get(1));
            w.println("A: " + compare.get(0) + " (" + a.startedAt() + ", " + a.environment().kernel() + ")");
            w.println("B: " + compare.get(1) + " (" + b.startedAt() + ", " + b.environment().kernel() + ")");
            w.print(TextTable.comparison(Comparison.compare(a, b)));
            w.flush();
            return ExitCodes.OK;
        }
        Path dir = out != null ? out : Path.of("isolab-bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        BenchOptions options;
        try {
            options = BenchOptions.defaults(quick, dir.toAbsolutePath())
                    .with(targets, Workload.parseList(workloads), repeat, warmup, !noMatrix);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream console = System.out;
        BenchResults results;
        try {
            results = Harness.bench(parent.config(), options, Progress.forConsole(console));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        w.println();
        w.print(TextTable.summary(results));
        w.println();
        w.println("results: " + options.out().resolve("results.json"));
        w.println("summary: " + options.out().resolve("summary.csv"));
        w.println("report:  " + options.out().resolve("report.html"));
        results.notes().forEach(n -> w.println("note: " + n));
        w.flush();
        return ExitCodes.OK;
    }

    private BenchResults read(Path file) {
        try {
            return BenchResults.read(file);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--compare: cannot read " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException || e instanceof java.io.FileNotFoundException
                    ? "no such file" : e.getMessage()));
        }
    }
}
