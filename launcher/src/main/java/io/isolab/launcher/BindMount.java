package io.isolab.launcher;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory or file bind-mounted (recursively) into the new root.
 *
 * @param source   absolute host path
 * @param target   absolute path inside the new root; created when missing
 * @param readOnly read-only, recursively
 */
public record BindMount(Path source, String target, boolean readOnly) {

    public BindMount {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (!source.isAbsolute() || !target.startsWith("/")) {
            throw new IllegalArgumentException("bind mount paths must be absolute: " + source + " -> " + target);
        }
    }
}
