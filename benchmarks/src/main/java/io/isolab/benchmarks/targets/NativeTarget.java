package io.isolab.benchmarks.targets;

import io.isolab.api.Capability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The baseline every ratio is taken against: the probe run by {@code ProcessBuilder}, no isolation. */
public final class NativeTarget extends ProcessTarget {
    private final Path probe;

    public NativeTarget(Path scratch, Path probe) {
        super(scratch);
        this.probe = probe;
    }

    @Override
    public String id() {
        return "native";
    }

    @Override
    public Kind kind() {
        return Kind.BASELINE;
    }

    @Override
    public String description() {
        return "ProcessBuilder -> " + probe + " (no isolation)";
    }

    @Override
    protected List<String> argv(Invocation invocation, String name) {
        List<String> argv = new ArrayList<>();
        argv.add(probe.toString());
        argv.addAll(invocation.probeArgs());
        return argv;
    }

    @Override
    public Set<Capability> declared() {
        return Set.of();
    }

    @Override
    public Map<String, String> facts() {
        return Map.of("probe", probe.toString(),
                "launch-mechanism", System.getProperty("jdk.lang.Process.launchMechanism", "default"));
    }
}
