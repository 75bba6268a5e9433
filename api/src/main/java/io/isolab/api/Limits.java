package io.isolab.api;

import java.time.Duration;

/**
 * Resource limits of a sandbox. {@code null} means unlimited.
 *
 * @param memoryBytes memory of the whole sandbox; needs {@link Capability#MEMORY_LIMIT}
 * @param cpus        CPU bandwidth in cores (0.5 = half a core); needs {@link Capability#CPU_LIMIT}
 * @param maxPids     processes (and threads) at once; needs {@link Capability#PIDS_LIMIT}
 * @param timeout     wall clock from start; the sandbox is killed and the result says timed out
 */
public record Limits(Long memoryBytes, Double cpus, Integer maxPids, Duration timeout) {

    public static final Limits NONE = new Limits(null, null, null, null);

    /** Smallest memory limit accepted: below this no backend can start a process. */
    public static final long MIN_MEMORY_BYTES = 4L << 20;

    public Limits {
        if (memoryBytes != null && memoryBytes < MIN_MEMORY_BYTES) {
            throw new InvalidSpecException("limits.memory",
                    "must be at least " + Units.formatBytes(MIN_MEMORY_BYTES) + " (got " + memoryBytes + " bytes)");
        }
        if (cpus != null && (!(cpus > 0) || cpus.isInfinite())) {
            throw new InvalidSpecException("limits.cpus", "must be a positive number of cores (got " + cpus + ")");
        }
        if (maxPids != null && maxPids < 1) {
            throw new InvalidSpecException("limits.pids", "must be at least 1 (got " + maxPids + ")");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new InvalidSpecException("limits.timeout", "must be positive (got " + timeout + ")");
        }
    }

    public Limits withMemoryBytes(Long value) {
        return new Limits(value, cpus, maxPids, timeout);
    }

    public Limits withCpus(Double value) {
        return new Limits(memoryBytes, value, maxPids, timeout);
    }

    public Limits withMaxPids(Integer value) {
        return new Limits(memoryBytes, cpus, value, timeout);
    }

    public Limits withTimeout(Duration value) {
        return new Limits(memoryBytes, cpus, maxPids, value);
    }
}
