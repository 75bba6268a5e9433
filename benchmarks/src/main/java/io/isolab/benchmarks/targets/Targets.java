package io.isolab.benchmarks.targets;

import io.isolab.api.Availability;
import io.isolab.api.Capability;
import io.isolab.api.host.BackendStatus;
import io.isolab.api.host.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds every target of a run: the baselines, each isolab backend the host loads, and each peer tool that is
 * installed. Peers that are missing or cannot run become {@link Unavailable} rows with the reason.
 */
public final class Targets {
    /** Peers, in report order. */
    public static final List<String> PEERS = List.of("crun", "runc", "bwrap", "runsc", "qemu");

    private Targets() {
    }

    /**
     * @param backends the loaded isolab backends
     * @param cacheDir where the probe and the helper are extracted
     * @param rootfs   the workload rootfs every target runs on
     * @param scratch  a private directory for bundles, runtime state and output files
     */
    public static List<Target> discover(Backends backends, Path cacheDir, Path rootfs, Path scratch) {
        List<Target> targets = new ArrayList<>();
        Path probe = io.isolab.workload.Probe.binary(cacheDir);
        Path helper = NativeHelper.binary(cacheDir);
        targets.add(new NativeTarget(scratch, probe));
        targets.add(new FloorTarget(scratch, helper, rootfs));
        Map<String, String> hypervisorFacts = Map.of();
        for (BackendStatus status : backends.list()) {
            targets.add(new BackendTarget(backends, status, rootfs));
            if (status.id().equals("hypervisor")) {
                hypervisorFacts = status.availability().facts();
            }
        }
        targets.add(which("crun").<Target>map(p -> new OciRuntimeTarget(OciRuntimeTarget.Flavor.CRUN, p, scratch, rootfs,
                        hybridCgroups() ? List.of(helper.toString(), "hide-cgroup2") : List.of(), version(p, "--version")))
                .orElse(missing("crun", "apt-get install crun")));
        targets.add(which("runc").<Target>map(p -> new OciRuntimeTarget(OciRuntimeTarget.Flavor.RUNC, p, scratch, rootfs,
                        List.of(), version(p, "--version"))).orElse(missing("runc", "apt-get install runc")));
        targets.add(which("bwrap").<Target>map(p -> new BwrapTarget(p, scratch, rootfs, version(p, "--version")))
                .orElse(missing("bwrap", "apt-get install bubblewrap")));
        targets.add(which("runsc").<Target>map(p -> new OciRuntimeTarget(OciRuntimeTarget.Flavor.RUNSC, p, scratch, rootfs,
                        List.of(), version(p, "--version"))).orElse(missing("runsc", "apt-get install runsc")));
        Map<String, String> facts = hypervisorFacts;
        targets.add(which("qemu-system-x86_64").<Target>map(p -> new QemuTarget(p, scratch, facts, version(p, "--version")))
                .orElse(missing("qemu", "apt-get install qemu-system-x86")));
        return targets;
    }

    /**
     * Whether this is a hybrid cgroup host: v1 controllers at /sys/fs/cgroup and a cgroup2 hierarchy beside
     * them, which crun refuses.
     */
    public static boolean hybridCgroups() {
        try {
            boolean v2Beside = false;
            boolean v2Root = false;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (dash < 0 || dash + 1 >= f.length || !f[dash + 1].equals("cgroup2")) {
                    continue;
                }
                if (f[4].equals("/sys/fs/cgroup")) {
                    v2Root = true;
                } else if (f[4].startsWith("/sys/fs/cgroup/")) {
                    v2Beside = true;
                }
            }
            return v2Beside && !v2Root;
        } catch (IOException e) {
            return false;
        }
    }

    /** The executable on the PATH (or in the sbin directories root's PATH has), if any. */
    public static Optional<Path> which(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The first line a tool prints for {@code flag}, or "unknown". */
    public static String version(Path executable, String flag) {
        try {
            Process p = new ProcessBuilder(executable.toString(), flag).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            String first = out.lines().findFirst().orElse("").strip();
            return first.isEmpty() ? "unknown" : first;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static Target missing(String id, String remedy) {
        return new Unavailable(id, Target.Kind.PEER, Availability.unavailable(id + " is not installed", remedy));
    }

    /** A row that cannot run here, with the reason. */
    public record Unavailable(String id, Kind kind, Availability availability) implements Target {
        @Override
        public String description() {
            return "unavailable: " + availability.reason();
        }

        @Override
        public Execution run(Invocation invocation) {
            throw new IllegalStateException(id + " is unavailable: " + availability.reason());
        }

        @Override
        public Idle start(Invocation invocation) {
            throw new IllegalStateException(id + " is unavailable: " + availability.reason());
        }

        @Override
        public Set<Capability> declared() {
            return Set.of();
        }

        @Override
        public Map<String, String> facts() {
            return Map.of();
        }
    }
}
