package io.isolab.benchmarks.targets;

import io.isolab.api.Capability;
import io.isolab.benchmarks.workload.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * An OCI runtime peer, {@code <runtime> --root <private state dir> run --bundle <bundle> <name>}, on a
 * bundle of the workload rootfs written for each run's arguments. One class for crun, runc and runsc; what
 * differs is in {@link Flavor}.
 */
public final class OciRuntimeTarget extends ProcessTarget {

    /** The runtimes, and what each needs on this kind of host. */
    public enum Flavor {
        /** crun refuses a hybrid cgroup host: it runs behind {@code isolab-bench-launch hide-cgroup2}. */
        CRUN("crun", List.of()),
        RUNC("runc", List.of()),
        /** gVisor: as root it refuses a sandbox network in the host's namespace; {@code --network=none} works. */
        RUNSC("runsc", List.of("--network=none"));

        final String id;
        final List<String> globalFlags;

        Flavor(String id, List<String> globalFlags) {
            this.id = id;
            this.globalFlags = globalFlags;
        }
    }

    private final Flavor flavor;
    private final Path executable;
    private final Path rootfs;
    private final Path stateRoot;
    private final Path bundles;
    private final List<String> wrapper;
    private final String version;

    /**
     * @param wrapper argv that precedes the runtime (crun on a hybrid host: the cgroup2 hider), or empty
     */
    public OciRuntimeTarget(Flavor flavor, Path executable, Path scratch, Path rootfs, List<String> wrapper, String version) {
        super(scratch);
        this.flavor = flavor;
        this.executable = executable;
        this.rootfs = rootfs;
        this.stateRoot = scratch.resolve(flavor.id + "-state");
        this.bundles = scratch.resolve(flavor.id + "-bundles");
        this.wrapper = List.copyOf(wrapper);
        this.version = version;
    }

    @Override
    public String id() {
        return flavor.id;
    }

    @Override
    public Kind kind() {
        return Kind.PEER;
    }

    @Override
    public String description() {
        return String.join(" ", commandPrefix()) + " run --bundle BUNDLE NAME";
    }

    @Override
    public Optional<String> unsupported(Workload workload) {
        return Optional.empty();
    }

    private List<String> commandPrefix() {
        List<String> argv = new ArrayList<>(wrapper);
        argv.add(executable.toString());
        argv.add("--root");
        argv.add(stateRoot.toString());
        argv.addAll(flavor.globalFlags);
        return argv;
    }

    /** The bundle is per instance: its config carries the arguments, and runtimes may write next to it. */
    @Override
    protected List<String> argv(Invocation invocation, String name) throws IOException {
        Path bundle = bundles.resolve(name);
        OciBundleWriter.write(bundle, rootfs, invocation.argvInSandbox(), invocation.memoryBytes(), invocation.maxPids());
        return argv(bundle, name);
    }

    List<String> argv(Path bundle, String name) {
        List<String> argv = commandPrefix();
        argv.addAll(List.of("run", "--bundle", bundle.toString(), name));
        return argv;
    }

    @Override
    protected void cleanup(String name) {
        List<String> delete = commandPrefix();
        delete.addAll(List.of("delete", "--force", name));
        try {
            Process p = new ProcessBuilder(delete).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to delete, or the runtime is gone: the state dir goes with the scratch dir
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sweep(Set.of(name));
    }

    /**
     * A runtime killed mid-launch, or whose processes were killed before its {@code delete}, leaves the
     * container's cgroups (runc, crun and runsc all can): remove the empty ones named after our containers.
     */
    @Override
    protected void sweep(Set<String> names) {
        try (var dirs = Files.find(Path.of("/sys/fs/cgroup"), 4,
                (p, a) -> a.isDirectory() && p.getFileName() != null && names.contains(p.getFileName().toString()))) {
            dirs.sorted(java.util.Comparator.reverseOrder()).forEach(d -> {
                try {
                    Files.delete(d); // rmdir: refused while a process is still in it
                } catch (IOException stillInUse) {
                    // left for the before-stop check to show: a leak to fix at its source
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // no cgroup filesystem here
        }
    }

    @Override
    protected void finished(String name) {
        Path bundle = bundles.resolve(name);
        try {
            Files.deleteIfExists(bundle.resolve("config.json"));
            Files.deleteIfExists(bundle);
        } catch (IOException ignored) {
            // a runtime left a file there: the scratch dir's removal takes it
        }
    }

    @Override
    public Set<Capability> declared() {
        EnumSet<Capability> caps = EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.MOUNT_ISOLATION,
                Capability.PID_ISOLATION, Capability.NETWORK_ISOLATION, Capability.IPC_ISOLATION,
                Capability.UTS_ISOLATION, Capability.CGROUP_ISOLATION, Capability.MEMORY_LIMIT, Capability.PIDS_LIMIT);
        if (flavor == Flavor.RUNSC) {
            caps.add(Capability.SEPARATE_KERNEL); // gVisor's Sentry: a user-space kernel of its own
        }
        return caps;
    }

    @Override
    public Map<String, String> facts() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("version", version);
        facts.put("command", description());
        if (!wrapper.isEmpty()) {
            facts.put("wrapper", "private mount namespace without /sys/fs/cgroup/unified (hybrid cgroup host)");
        }
        return facts;
    }
}
