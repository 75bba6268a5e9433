package io.isolab.api;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a backend is, independent of the host it runs on.
 *
 * @param id           short stable id: {@code chroot}, {@code linux-ns}, {@code jail}, {@code hypervisor}
 * @param lineage      the branch of the history of isolation it stands for, e.g. "chroot(2), Version 7 Unix, 1979"
 * @param capabilities every capability it delivers, each with the mechanism that delivers it
 *                     (e.g. {@code PID_ISOLATION -> "CLONE_NEWPID"}); anything absent is refused
 */
public record BackendDescriptor(String id, String lineage, Map<Capability, String> capabilities) {

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,30}");

    public BackendDescriptor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lineage, "lineage");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("backend id must match " + ID + ": " + id);
        }
        EnumMap<Capability, String> copy = new EnumMap<>(Capability.class);
        copy.putAll(capabilities);
        capabilities = Collections.unmodifiableMap(copy);
    }

    public boolean has(Capability capability) {
        return capabilities.containsKey(capability);
    }

    public Set<Capability> capabilitySet() {
        return capabilities.keySet();
    }
}
