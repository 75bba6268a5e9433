package io.isolab.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The network a sandbox sees. */
public enum NetworkMode {
    /** A network stack of its own with only loopback, up. Needs {@link Capability#NETWORK_ISOLATION}. */
    NONE,
    /** The host's network. Needs {@link Capability#HOST_NETWORK}. */
    HOST;

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the bad value */
    @JsonCreator
    public static NetworkMode fromKey(String key) {
        for (NetworkMode mode : values()) {
            if (mode.key().equals(key)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown network mode '" + key + "' (known: none, host)");
    }

    public Capability requiredCapability() {
        return this == NONE ? Capability.NETWORK_ISOLATION : Capability.HOST_NETWORK;
    }

    @Override
    public String toString() {
        return key();
    }
}
