package io.isolab.cli;

import io.isolab.api.Availability;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backends;
import io.isolab.workload.WorkloadRootfs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "setup", mixinStandardHelpOptions = true,
        description = {"Prepares this host: builds the workload rootfs, then runs each backend's setup"
                + " (e.g. hypervisor: fetch the guest kernel, start virtlogd and libvirtd), saying what it does.",
                "Ends with the backend table."})
final class SetupCommand implements Callable<Integer> {

    @ParentCommand
    IsolabCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BACKEND", arity = "0..*", description = "Backends to set up (default: all).")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        IsolabConfig config = parent.config();
        out.println("workload rootfs: building under " + config.cacheDir() + " ...");
        out.flush();
        Path rootfs = WorkloadRootfs.ensure(config.cacheDir());
        out.println("workload rootfs: " + rootfs);
        try (Backends backends = Backends.load(config)) {
            List<String> targets = ids.isEmpty() ? new ArrayList<>(backends.ids()) : ids;
            for (String id : targets) {
                out.println(id + ": setting up");
                out.flush();
                Availability after = backends.setup(id, step -> {
                    out.println(id + ":   " + step);
                    out.flush();
                });
                out.println(id + ": " + (after.available() ? "available" : "unavailable: " + after.reason()));
            }
            out.println();
            out.print(BackendsCommand.table(backends.list()));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
