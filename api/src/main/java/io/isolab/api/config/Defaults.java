package io.isolab.api.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.Limits;
import io.isolab.api.NetworkMode;
import io.isolab.api.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Defaults applied to every sandbox created from a config, section {@code defaults}.
 *
 * @param memory  e.g. {@code 256m}
 * @param cpus    e.g. {@code 0.5}
 * @param pids    e.g. {@code 128}
 * @param timeout e.g. {@code 30s}
 * @param network {@code none} or {@code host}
 * @param rootfs  root filesystem directory; absent means the workload rootfs isolab builds
 */
public record Defaults(
        @JsonDeserialize(using = UnitDeserializers.Bytes.class) Long memory,
        Double cpus,
        Integer pids,
        @JsonDeserialize(using = UnitDeserializers.Time.class) Duration timeout,
        NetworkMode network,
        Path rootfs) {

    public static final Defaults NONE = new Defaults(null, null, null, null, null, null);

    public Defaults {
        // Checked by Limits, so the config refuses what the command line refuses; renamed to the config's key.
        try {
            new Limits(memory, cpus, pids, timeout);
        } catch (InvalidSpecException e) {
            String key = e.field().substring(e.field().indexOf('.') + 1);
            throw new InvalidSpecException(key, e.getMessage().substring(e.field().length() + 2));
        }
    }

    public Limits limits() {
        return new Limits(memory, cpus, pids, timeout);
    }

    /** A builder for {@code rootfs} with these defaults applied. */
    public SandboxSpec.Builder applyTo(SandboxSpec.Builder builder) {
        return builder.limits(limits()).network(network);
    }
}
