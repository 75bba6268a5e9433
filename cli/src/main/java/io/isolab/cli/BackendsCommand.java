package io.isolab.cli;

import io.isolab.api.Capability;
import io.isolab.api.Json;
import io.isolab.api.host.BackendStatus;
import io.isolab.api.host.Backends;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "Lists every backend: whether it can run here (and why not), and what it isolates.")
final class BackendsCommand implements Callable<Integer> {

    @ParentCommand
    IsolabCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Backends backends = Backends.load(parent.config())) {
            List<BackendStatus> statuses = backends.list();
            if (json) {
                out.println(Json.write(statuses.stream().map(BackendsCommand::asJson).toList()));
            } else {
                out.print(table(statuses));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static Map<String, Object> asJson(BackendStatus status) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", status.id());
        row.put("lineage", status.descriptor().lineage());
        row.put("available", status.availability().available());
        row.put("reason", status.availability().reason());
        row.put("remedy", status.availability().remedy());
        row.put("facts", status.availability().facts());
        Map<String, String> capabilities = new LinkedHashMap<>();
        status.descriptor().capabilities().forEach((c, how) -> capabilities.put(c.key(), how));
        row.put("capabilities", capabilities);
        row.put("origin", status.origin());
        return row;
    }

    static String table(List<BackendStatus> statuses) {
        StringBuilder sb = new StringBuilder();
        if (statuses.isEmpty()) {
            return "no backends found: is the plugins directory right? (-Disolab.plugins.dir, or plugins-dir in the config)\n";
        }
        int idWidth = Math.max(2, statuses.stream().mapToInt(s -> s.id().length()).max().orElse(2));
        sb.append(String.format("%-" + idWidth + "s  %-9s  %s%n", "ID", "AVAILABLE", "LINEAGE"));
        for (BackendStatus s : statuses) {
            sb.append(String.format("%-" + idWidth + "s  %-9s  %s%n", s.id(),
                    s.availability().available() ? "yes" : "no", s.descriptor().lineage()));
            String indent = " ".repeat(idWidth + 2);
            if (!s.availability().available()) {
                sb.append(indent).append("why not: ").append(s.availability().reason()).append('\n');
                if (!s.availability().remedy().isEmpty()) {
                    sb.append(indent).append("fix:     ").append(s.availability().remedy()).append('\n');
                }
            }
            sb.append(indent).append("isolates: ").append(s.descriptor().capabilities().keySet().stream()
                    .map(Capability::key).collect(Collectors.joining(", "))).append('\n');
            if (!s.availability().facts().isEmpty()) {
                sb.append(indent).append("facts:   ").append(s.availability().facts().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))).append('\n');
            }
        }
        return sb.toString();
    }
}
