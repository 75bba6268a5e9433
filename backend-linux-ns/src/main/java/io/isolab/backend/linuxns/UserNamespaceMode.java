package io.isolab.backend.linuxns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Which sandboxes get a user namespace when isolab runs as root, and how it maps ids. A user namespace
 * confines root's capabilities to what the sandbox's own namespaces own; it costs a synchronous step at
 * every launch (the parent writes the maps while the child waits) and forbids mknod and the host's
 * network namespaces, so as root it is opt-in. A non-root isolab runs rootless instead: every sandbox
 * gets one, its own uid and gid mapped to root inside, whatever this says.
 */
public enum UserNamespaceMode {
    /**
     * The default: only a spec that requires {@code user-isolation} gets a user namespace, {@link #MAPPED}
     * (root inside is not root outside, which is what that capability promises).
     */
    WHEN_REQUIRED,
    /**
     * Every sandbox; every id maps to itself. Files keep their host owners, so the rootfs and bind mounts
     * behave as under runc as root, but root inside is uid 0 outside, only with its capabilities confined.
     */
    IDENTITY,
    /**
     * Every sandbox; ids 0-65535 map to root's range in {@code /etc/subuid} and {@code /etc/subgid} (100000
     * when none): root inside is an unprivileged uid outside. Host-root-owned files then belong to nobody
     * inside: a root-owned rootfs is writable only where it is world-writable (/tmp), and host directories
     * must be accessible to the mapped ids.
     */
    MAPPED;

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static UserNamespaceMode fromKey(String key) {
        for (UserNamespaceMode mode : values()) {
            if (mode.key().equals(key)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown user-namespace mode '" + key
                + "' (known: when-required, identity, mapped)");
    }
}
