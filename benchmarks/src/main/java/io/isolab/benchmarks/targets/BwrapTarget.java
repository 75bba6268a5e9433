package io.isolab.benchmarks.targets;

import io.isolab.api.Capability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Bubblewrap, as baselines.md measured it: the rootfs bound as /, fresh /proc and /dev, every namespace. */
public final class BwrapTarget extends ProcessTarget {
    private final Path executable;
    private final Path rootfs;
    private final String version;

    public BwrapTarget(Path executable, Path scratch, Path rootfs, String version) {
        super(scratch);
        this.executable = executable;
        this.rootfs = rootfs;
        this.version = version;
    }

    @Override
    public String id() {
        return "bwrap";
    }

    @Override
    public Kind kind() {
        return Kind.PEER;
    }

    @Override
    public String description() {
        return executable + " --bind ROOTFS / --proc /proc --dev /dev --unshare-all --die-with-parent PROBE ARGS";
    }

    @Override
    protected List<String> argv(Invocation invocation, String name) {
        List<String> argv = new ArrayList<>(List.of(executable.toString(), "--bind", rootfs.toString(), "/",
                "--proc", "/proc", "--dev", "/dev", "--unshare-all", "--die-with-parent"));
        argv.addAll(invocation.argvInSandbox());
        return argv;
    }

    @Override
    public Set<Capability> declared() {
        return EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.MOUNT_ISOLATION, Capability.PID_ISOLATION,
                Capability.NETWORK_ISOLATION, Capability.IPC_ISOLATION, Capability.UTS_ISOLATION,
                Capability.USER_ISOLATION, Capability.CGROUP_ISOLATION);
    }

    @Override
    public Map<String, String> facts() {
        return Map.of("version", version, "command", description());
    }
}
