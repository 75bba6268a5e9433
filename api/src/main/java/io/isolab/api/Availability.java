package io.isolab.api;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Whether a backend can run on this host, and if not, why and what fixes it, in the manner of
 * Netty's {@code Epoll.isAvailable()} / {@code unavailabilityCause()} and Incus's per-driver info.
 *
 * @param available whether sandboxes can be created here
 * @param reason    for an unavailable backend, the human reason ("not root", "libvirtd not reachable at
 *                  qemu:///system: ..."); empty when available
 * @param remedy    a command or step that would make it available, or empty when none is known
 * @param facts     what the probe found out (cgroup version, libvirt domain type, kernel path ...)
 */
public record Availability(boolean available, String reason, String remedy, Map<String, String> facts) {

    public Availability {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(remedy, "remedy");
        if (!available && reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable backend must say why");
        }
        facts = java.util.Collections.unmodifiableMap(new TreeMap<>(facts));
    }

    public static Availability available(Map<String, String> facts) {
        return new Availability(true, "", "", facts);
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason, "", Map.of());
    }

    public static Availability unavailable(String reason, String remedy) {
        return new Availability(false, reason, remedy, Map.of());
    }

    public Availability withFacts(Map<String, String> more) {
        Map<String, String> merged = new TreeMap<>(facts);
        merged.putAll(more);
        return new Availability(available, reason, remedy, merged);
    }
}
