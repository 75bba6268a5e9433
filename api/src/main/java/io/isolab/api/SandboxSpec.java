package io.isolab.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a backend needs to create a sandbox. Build one with {@link #builder(Path)}.
 *
 * @param rootfs           root filesystem directory (on the backend's host: a path on the FreeBSD host for
 *                         {@code jail}); the workload rootfs from {@code isolab-workload} by default
 * @param process          the main process
 * @param hostname         {@code null} for the backend's default; needs {@link Capability#UTS_ISOLATION}
 * @param limits           resource limits, {@link Limits#NONE} for none
 * @param network          {@code null} for the backend's default network, else needs
 *                         {@link NetworkMode#requiredCapability()}
 * @param mounts           host paths to mount in; needs {@link Capability#BIND_MOUNTS} when not empty
 * @param readOnlyRoot     mount the root filesystem read-only; needs {@link Capability#READ_ONLY_ROOT}
 * @param requires         isolation the caller insists on beyond what the other fields imply
 * @param outputLimitBytes how much of stdout and of stderr (each) the result keeps; the rest is counted
 *                         and dropped, so a workload that prints 10 GB cannot exhaust the JVM
 */
public record SandboxSpec(
        Path rootfs,
        ProcessSpec process,
        String hostname,
        Limits limits,
        NetworkMode network,
        List<Mount> mounts,
        boolean readOnlyRoot,
        Set<Capability> requires,
        int outputLimitBytes) {

    public static final int DEFAULT_OUTPUT_LIMIT = 1 << 20;
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    public SandboxSpec {
        if (rootfs == null) {
            throw new InvalidSpecException("rootfs", "is required");
        }
        if (!rootfs.isAbsolute()) {
            throw new InvalidSpecException("rootfs", "must be an absolute path (got " + rootfs + ")");
        }
        Objects.requireNonNull(process, "process");
        if (hostname != null && !HOSTNAME.matcher(hostname).matches()) {
            throw new InvalidSpecException("hostname", "must be 1-63 letters, digits or '-' (got '" + hostname + "')");
        }
        limits = limits == null ? Limits.NONE : limits;
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        requires = requires == null || requires.isEmpty()
                ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(requires));
        if (outputLimitBytes < 0) {
            throw new InvalidSpecException("output-limit", "must not be negative (got " + outputLimitBytes + ")");
        }
    }

    public static Builder builder(Path rootfs) {
        return new Builder(rootfs);
    }

    public Builder toBuilder() {
        Builder b = new Builder(rootfs);
        b.argv = new ArrayList<>(process.argv());
        b.env = new LinkedHashMap<>(process.env());
        b.cwd = process.cwd();
        b.user = process.user();
        b.hostname = hostname;
        b.limits = limits;
        b.network = network;
        b.mounts = new ArrayList<>(mounts);
        b.readOnlyRoot = readOnlyRoot;
        b.requires = requires.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(requires);
        b.outputLimitBytes = outputLimitBytes;
        return b;
    }

    /**
     * Every capability this spec needs, each with the field that asks for it; a backend must declare all
     * of them.
     */
    public Map<Capability, String> requiredCapabilities() {
        Map<Capability, String> needed = new LinkedHashMap<>();
        needed.put(Capability.FILESYSTEM_ROOT, "rootfs");
        if (limits.memoryBytes() != null) {
            needed.put(Capability.MEMORY_LIMIT, "limits.memory");
        }
        if (limits.cpus() != null) {
            needed.put(Capability.CPU_LIMIT, "limits.cpus");
        }
        if (limits.maxPids() != null) {
            needed.put(Capability.PIDS_LIMIT, "limits.pids");
        }
        if (hostname != null) {
            needed.put(Capability.UTS_ISOLATION, "hostname");
        }
        if (network != null) {
            needed.put(network.requiredCapability(), "network " + network.key());
        }
        if (process.user() != null) {
            needed.put(Capability.RUN_AS_USER, "process.user");
        }
        if (!mounts.isEmpty()) {
            needed.put(Capability.BIND_MOUNTS, "mounts");
        }
        if (readOnlyRoot) {
            needed.put(Capability.READ_ONLY_ROOT, "read-only-root");
        }
        for (Capability c : requires) {
            needed.putIfAbsent(c, "requires");
        }
        return needed;
    }

    /** Fluent construction with defaults: {@link ProcessSpec#DEFAULT_ENV}, cwd {@code /}, no limits. */
    public static final class Builder {
        private final Path rootfs;
        private List<String> argv = new ArrayList<>();
        private Map<String, String> env = new LinkedHashMap<>(ProcessSpec.DEFAULT_ENV);
        private String cwd = "/";
        private String user;
        private String hostname;
        private Limits limits = Limits.NONE;
        private NetworkMode network;
        private List<Mount> mounts = new ArrayList<>();
        private boolean readOnlyRoot;
        private Set<Capability> requires = EnumSet.noneOf(Capability.class);
        private int outputLimitBytes = DEFAULT_OUTPUT_LIMIT;

        private Builder(Path rootfs) {
            this.rootfs = rootfs;
        }

        public Builder command(String... command) {
            return command(List.of(command));
        }

        public Builder command(List<String> command) {
            this.argv = new ArrayList<>(command);
            return this;
        }

        /** Replaces the whole environment. */
        public Builder env(Map<String, String> environment) {
            this.env = new LinkedHashMap<>(environment);
            return this;
        }

        public Builder env(String name, String value) {
            this.env.put(name, value);
            return this;
        }

        public Builder cwd(String dir) {
            this.cwd = dir;
            return this;
        }

        public Builder user(String name) {
            this.user = name;
            return this;
        }

        public Builder hostname(String name) {
            this.hostname = name;
            return this;
        }

        public Builder limits(Limits value) {
            this.limits = value;
            return this;
        }

        public Builder memory(long bytes) {
            this.limits = limits.withMemoryBytes(bytes);
            return this;
        }

        public Builder cpus(double cores) {
            this.limits = limits.withCpus(cores);
            return this;
        }

        public Builder maxPids(int pids) {
            this.limits = limits.withMaxPids(pids);
            return this;
        }

        public Builder timeout(java.time.Duration timeout) {
            this.limits = limits.withTimeout(timeout);
            return this;
        }

        public Builder network(NetworkMode mode) {
            this.network = mode;
            return this;
        }

        public Builder mount(Mount mount) {
            this.mounts.add(mount);
            return this;
        }

        public Builder readOnlyRoot(boolean value) {
            this.readOnlyRoot = value;
            return this;
        }

        public Builder require(Capability... capabilities) {
            this.requires.addAll(List.of(capabilities));
            return this;
        }

        public Builder outputLimitBytes(int bytes) {
            this.outputLimitBytes = bytes;
            return this;
        }

        public SandboxSpec build() {
            return new SandboxSpec(rootfs, new ProcessSpec(argv, env, cwd, user), hostname, limits, network,
                    mounts, readOnlyRoot, requires, outputLimitBytes);
        }
    }
}
