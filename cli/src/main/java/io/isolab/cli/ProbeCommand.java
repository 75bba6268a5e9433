package io.isolab.cli;

import io.isolab.api.Json;
import io.isolab.benchmarks.Harness;
import io.isolab.benchmarks.Progress;
import io.isolab.benchmarks.matrix.MatrixRow;
import io.isolab.benchmarks.report.TextTable;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Measures what each backend (and peer) really isolates: runs isolab-probe inspect with a host-only"
                + " marker file, escape-chroot, alloc past a memory limit and a fork bomb under a pids limit, on the host"
                + " and in every available target, and prints the matrix with each target's declared capabilities;"
                + " every disagreement is flagged.",
                "Exit status: 0 when every measured property agrees with the declarations, 1 when one does not."})
final class ProbeCommand implements Callable<Integer> {

    @ParentCommand
    IsolabCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--backends"}, paramLabel = "IDS", split = ",",
            description = "Backends and peers to probe, or all (default). The host is always probed.")
    List<String> targets = new ArrayList<>(List.of("all"));

    @Option(names = "--json", description = "Print the matrix as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        List<MatrixRow> rows;
        try {
            rows = Harness.probe(parent.config(), targets, Duration.ofMinutes(2),
                    new Progress(System.err, false));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        w.print(json ? Json.write(rows) + "\n" : TextTable.matrix(rows));
        w.flush();
        return rows.stream().anyMatch(r -> !r.disagreements().isEmpty()) ? 1 : ExitCodes.OK;
    }
}
