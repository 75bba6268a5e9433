package io.isolab.backend.linuxns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a sandbox's copy-on-write layer (the overlay's upper and work directories) lives. */
public enum OverlayUpper {
    /**
     * The default: in a tmpfs of the sandbox's own, mounted in its mount namespace only. Nothing is made
     * or removed on the host, and what the workload writes to its root is memory charged to its memory
     * cgroup, so the memory limit bounds it (bubblewrap's --tmp-overlay does the same); a sandbox cannot
     * fill the host's disk through its root.
     */
    MEMORY,
    /**
     * In the sandbox's directory under the state dir, on disk: for workloads that write more to their root
     * than their memory limit allows. Costs directories to make and remove at every launch.
     */
    DISK;

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static OverlayUpper fromKey(String key) {
        for (OverlayUpper upper : values()) {
            if (upper.key().equals(key)) {
                return upper;
            }
        }
        throw new IllegalArgumentException("unknown overlay-upper '" + key + "' (known: memory, disk)");
    }
}
