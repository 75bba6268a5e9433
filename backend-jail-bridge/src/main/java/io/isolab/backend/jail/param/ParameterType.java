package io.isolab.backend.jail.param;

import java.util.Locale;

/** The value types of jail parameters, as the kernel declares them (the sysctl format strings in brackets). */
public enum ParameterType {
    /** {@code "B"}: true or false. */
    BOOL,
    /** {@code "I"}: a signed 32-bit number. */
    INT,
    /** {@code "LU"}: an unsigned long. */
    ULONG,
    /** A string parameter ({@code SYSCTL_JAIL_PARAM_STRING}). */
    STRING,
    /** {@code "E,jailsys"} and {@code SYSCTL_JAIL_PARAM_SYS_NODE}: inherit, new or disable. */
    JAILSYS,
    /** {@code "S,in_addr,a"}: a comma-separated list of IPv4 addresses. */
    IP4_LIST,
    /** {@code "S,in6_addr,a"}: a comma-separated list of IPv6 addresses. */
    IP6_LIST,
    /** {@code "A,keyvalue"}: a string, also settable key by key as {@code name.key}. */
    KEYVALUE,
    /** A jail(8) pseudo-parameter that takes several values. */
    LIST;

    /** The spelling in the data file: {@code ip4-list}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ParameterType fromKey(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
