package io.isolab.backend.jail;

import java.util.Locale;

/** How the workload probe gets into the jail's root filesystem (setting {@code probe}). */
public enum ProbeMode {
    /** Copy the probe's C sources to the host and build them there with FreeBSD's cc, statically. */
    SOURCE,
    /** Copy the static Linux probe; it runs through FreeBSD's Linux ABI (linux64.ko must be loaded). */
    LINUX,
    /** The user installs {@code /usr/bin/isolab-probe} in the root filesystem. */
    NONE;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException listing the known modes */
    public static ProbeMode fromKey(String key) {
        for (ProbeMode mode : values()) {
            if (mode.key().equals(key)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("'" + key + "' is not a probe mode (known: source, linux, none)");
    }
}
