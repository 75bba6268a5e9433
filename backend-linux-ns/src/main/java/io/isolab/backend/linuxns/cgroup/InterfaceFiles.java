package io.isolab.backend.linuxns.cgroup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which optional interface files ({@code memory.peak}, {@code pids.peak}, {@code memory.swap.max} ...) the
 * sandbox cgroups of each hierarchy have. The kernel and the controllers enabled at the parent decide that,
 * so it is the same for every sandbox under one parent: asked of the filesystem once, not at every reading
 * (a system call each time, and where the file is missing, an exception thrown and caught inside
 * {@code Files.exists} on JDK builds where it still goes through {@code checkAccess}).
 * Thread-safe.
 */
final class InterfaceFiles {
    private final Map<Hierarchy, Map<String, Boolean>> known = new ConcurrentHashMap<>();

    /** Whether sandbox cgroups of {@code dir}'s hierarchy have {@code name}, learnt from {@code dir}. */
    boolean has(CgroupDir dir, String name) {
        Map<String, Boolean> files = known.computeIfAbsent(dir.hierarchy(), h -> new ConcurrentHashMap<>());
        Boolean has = files.get(name);
        if (has == null) {
            has = dir.has(name);
            if (has || dir.exists()) {
                files.put(name, has); // a cgroup removed meanwhile says nothing about its siblings
            }
        }
        return has;
    }
}
