package io.isolab.cli;

import io.isolab.api.host.GcReport;
import io.isolab.api.host.Backends;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Removes isolab-* resources (cgroups, mounts, network namespaces, libvirt domains, jails,"
                + " processes, directories) whose owner is gone, e.g. after a killed JVM.",
                "Sandboxes that a live process still holds are left alone."})
final class GcCommand implements Callable<Integer> {

    @ParentCommand
    IsolabCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String> skipped = new ArrayList<>();
        List<GcReport> reports;
        try (Backends backends = Backends.load(parent.config())) {
            reports = backends.gc(skipped::add);
        }
        int failures = 0;
        for (GcReport report : reports) {
            if (report.removed().isEmpty() && report.failures().isEmpty()) {
                out.println(report.backendId() + ": nothing to remove");
            }
            report.removed().forEach(r -> out.println(report.backendId() + ": removed " + r + " (" + r.sandboxId() + ")"));
            report.failures().forEach(f -> out.println(report.backendId() + ": could not remove " + f));
            failures += report.failures().size();
        }
        skipped.forEach(s -> out.println("skipped " + s));
        out.flush();
        return failures == 0 ? ExitCodes.OK : ExitCodes.ISOLAB_ERROR;
    }
}
