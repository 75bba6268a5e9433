package io.isolab.api;

import java.nio.file.Path;

/**
 * A host directory or file made visible inside the sandbox. Needs {@link Capability#BIND_MOUNTS}.
 *
 * @param source   absolute host path
 * @param target   absolute path inside the sandbox
 * @param readOnly mounted read-only
 */
public record Mount(Path source, String target, boolean readOnly) {

    public Mount {
        if (source == null || !source.isAbsolute()) {
            throw new InvalidSpecException("mounts.source", "must be an absolute host path (got " + source + ")");
        }
        if (target == null || !target.startsWith("/") || target.contains("/../") || target.endsWith("/..")) {
            throw new InvalidSpecException("mounts.target",
                    "must be an absolute path inside the sandbox without '..' (got " + target + ")");
        }
    }
}
