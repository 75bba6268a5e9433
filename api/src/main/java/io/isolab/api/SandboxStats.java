package io.isolab.api;

import java.util.Map;

/**
 * Resource usage of a sandbox, from the kernel's or hypervisor's own accounting. Each field is
 * {@code null} when the backend cannot report it.
 *
 * @param cpuNanos          CPU time used by everything in the sandbox
 * @param memoryBytes       memory charged now
 * @param memoryPeakBytes   highest memory charged
 * @param pids              processes (and threads) now
 * @param pidsPeak          highest processes (and threads)
 * @param hostOverheadBytes resident memory of the host-side processes the backend keeps for this sandbox
 *                          (QEMU for a VM; 0 for a container with no monitor process)
 * @param extra             backend-specific counters, e.g. {@code oom_kill}, {@code memory.failcnt}
 */
public record SandboxStats(Long cpuNanos, Long memoryBytes, Long memoryPeakBytes, Long pids, Long pidsPeak,
                           Long hostOverheadBytes, Map<String, Long> extra) {

    public SandboxStats {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
}
