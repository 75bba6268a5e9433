package io.isolab.backend.jail.param;

import java.util.Locale;

/** When a jail parameter may be set, from its sysctl flags. */
public enum Access {
    /** {@code CTLFLAG_RDTUN}: at creation only. */
    CREATE,
    /** {@code CTLFLAG_RW}: at creation, and later with {@code jail -m}. */
    MODIFY,
    /** {@code CTLFLAG_RD}: reported by jls, never set. */
    READ,
    /** Not a kernel parameter: one jail(8) itself consumes (jail.8, "pseudo-parameters"). */
    PSEUDO;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Access fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
