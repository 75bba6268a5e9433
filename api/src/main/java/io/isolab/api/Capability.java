package io.isolab.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a backend can isolate, limit or do. Backends declare their capabilities as data
 * ({@link BackendDescriptor#capabilities()}); a spec that needs a capability the backend lacks is
 * refused before anything runs, with {@link UnsupportedCapabilityException} naming it.
 *
 * <p>Each capability has a kebab-case {@link #key()}, used in config files and on the command line.
 */
public enum Capability {
    FILESYSTEM_ROOT("a root directory of its own"),
    MOUNT_ISOLATION("a private mount table"),
    PID_ISOLATION("a process tree of its own: the host's processes are invisible"),
    NETWORK_ISOLATION("a network stack of its own (network none: only loopback)"),
    IPC_ISOLATION("System V IPC and POSIX message queues of its own"),
    UTS_ISOLATION("a hostname of its own"),
    USER_ISOLATION("user and group ids mapped: root inside is not root outside"),
    CGROUP_ISOLATION("its own view of the cgroup tree"),
    TIME_ISOLATION("monotonic and boot clocks of its own"),
    SEPARATE_KERNEL("a guest kernel of its own"),
    MEMORY_LIMIT("memory bounded (limits.memory)"),
    CPU_LIMIT("CPU time bounded (limits.cpus)"),
    PIDS_LIMIT("number of processes bounded (limits.pids)"),
    HOST_NETWORK("can share the host's network (network host)"),
    RUN_AS_USER("runs the workload as another user (process.user)"),
    BIND_MOUNTS("host directories mounted into the sandbox (mounts)"),
    READ_ONLY_ROOT("the root filesystem mounted read-only"),
    EXEC("runs more processes in a running sandbox"),
    STATS("reports cpu, memory and pids usage"),
    PAUSE("freezes and thaws a running sandbox");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    /** The kebab-case name used in config files and on the command line, e.g. {@code pid-isolation}. */
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String description() {
        return description;
    }

    /**
     * Parses a {@link #key()}.
     *
     * @throws IllegalArgumentException naming the bad key and listing the known ones
     */
    @JsonCreator
    public static Capability fromKey(String key) {
        for (Capability capability : values()) {
            if (capability.key().equals(key)) {
                return capability;
            }
        }
        throw new IllegalArgumentException("unknown capability '" + key + "' (known: "
                + Arrays.stream(values()).map(Capability::key).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return key();
    }
}
