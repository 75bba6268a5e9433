package io.isolab.backend.linuxns.cgroup;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mounted cgroup hierarchy.
 *
 * @param version     v1 (one or a few controllers per hierarchy) or v2 (the unified hierarchy)
 * @param mountPoint  where it is mounted, e.g. {@code /sys/fs/cgroup/memory}
 * @param mountRoot   the cgroup the mount shows, {@code /} unless bind-mounted or mounted in a cgroup namespace
 * @param controllers the controllers bound to it (v2: those its root offers in {@code cgroup.controllers})
 */
public record Hierarchy(CgroupVersion version, Path mountPoint, String mountRoot, Set<String> controllers) {

    public Hierarchy {
        controllers = Set.copyOf(controllers);
    }

    public boolean has(String controller) {
        return controllers.contains(controller);
    }

    /** The directory of {@code relative} (a path from the mount point, without a leading '/'). */
    public Path resolve(String relative) {
        return relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
    }

    @Override
    public String toString() {
        return (version == CgroupVersion.V1 ? "v1 " : "v2 ") + String.join(",", new TreeSet<>(controllers))
                + " at " + mountPoint;
    }
}
