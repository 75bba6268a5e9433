package io.isolab.benchmarks.targets;

import io.isolab.api.Capability;
import io.isolab.benchmarks.workload.Workload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The floor of a namespace launcher (issue 4's target is ≤ 1.2× this): the static C
 * {@code isolab-bench-launch floor}, which clones five namespaces with CLONE_VM|CLONE_VFORK, chroots and
 * execs, started by {@code ProcessBuilder} like every other peer.
 */
public final class FloorTarget extends ProcessTarget {
    private final Path helper;
    private final Path rootfs;

    public FloorTarget(Path scratch, Path helper, Path rootfs) {
        super(scratch);
        this.helper = helper;
        this.rootfs = rootfs;
    }

    @Override
    public String id() {
        return "floor";
    }

    @Override
    public Kind kind() {
        return Kind.BASELINE;
    }

    @Override
    public String description() {
        return "static C: clone(NEWPID|NEWNS|NEWUTS|NEWIPC|NEWNET|VM|VFORK) + chroot + execve + waitpid";
    }

    @Override
    public Optional<String> unsupported(Workload workload) {
        return workload == Workload.STARTUP ? Optional.empty()
                : Optional.of("a launch-cost baseline only: no /proc, loopback down");
    }

    @Override
    protected List<String> argv(Invocation invocation, String name) {
        List<String> argv = new ArrayList<>(List.of(helper.toString(), "floor", rootfs.toString()));
        argv.addAll(invocation.argvInSandbox());
        return argv;
    }

    @Override
    public Set<Capability> declared() {
        return EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.PID_ISOLATION, Capability.MOUNT_ISOLATION,
                Capability.UTS_ISOLATION, Capability.IPC_ISOLATION, Capability.NETWORK_ISOLATION);
    }

    @Override
    public Map<String, String> facts() {
        return Map.of("helper", helper.toString());
    }
}
