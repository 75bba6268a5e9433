package io.isolab.backend.linuxns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a sandbox's user namespace maps ids when isolab runs as root. Every sandbox gets a user namespace:
 * its root's capabilities then reach only what the sandbox's own namespaces own. A non-root isolab runs
 * rootless instead: its own uid and gid become root inside, whatever this says.
 */
public enum UserNamespaceMode {
    /**
     * Every id maps to itself. Files keep their host owners, so the rootfs and bind mounts behave as under
     * runc as root, but root inside is uid 0 outside, only with its capabilities confined.
     */
    IDENTITY,
    /**
     * Ids 0-65535 map to root's range in {@code /etc/subuid} and {@code /etc/subgid} (100000 when none):
     * root inside is an unprivileged uid outside. Host-root-owned files then belong to nobody inside: a
     * root-owned rootfs is writable only where it is world-writable (/tmp), and host directories must be
     * accessible to the mapped ids.
     */
    MAPPED;

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static UserNamespaceMode fromKey(String key) {
        for (UserNamespaceMode mode : values()) {
            if (mode.key().equals(key)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown user-namespace mode '" + key + "' (known: identity, mapped)");
    }
}
