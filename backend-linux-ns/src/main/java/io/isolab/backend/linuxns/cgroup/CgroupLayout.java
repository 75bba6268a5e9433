package io.isolab.backend.linuxns.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Which cgroup hierarchies this host mounts and which controllers each holds, from
 * {@code /proc/self/mountinfo}. Three shapes exist in the wild and all three are supported:
 * <ul>
 *   <li>{@link Mode#UNIFIED}: only cgroup2 (most distributions since 2021);</li>
 *   <li>{@link Mode#LEGACY}: only v1 hierarchies, one per controller or a few co-mounted;</li>
 *   <li>{@link Mode#HYBRID}: v1 controller hierarchies plus a cgroup2 mount (systemd's
 *       {@code /sys/fs/cgroup/unified}) that holds the controllers no v1 hierarchy took, often none.
 *       crun refuses such hosts; isolab takes each controller from wherever it is.</li>
 * </ul>
 */
public record CgroupLayout(List<Hierarchy> hierarchies) {

    /** The shape of the host's cgroups. */
    public enum Mode { UNIFIED, LEGACY, HYBRID, NONE }

    /** v1 controller names, for a kernel without {@code /proc/cgroups}. */
    private static final Set<String> V1_CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices",
            "freezer", "net_cls", "blkio", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc");

    public CgroupLayout {
        hierarchies = List.copyOf(hierarchies);
    }

    /** The layout the current process sees. */
    public static CgroupLayout ofThisProcess() {
        return detect(MountInfo.read(MountInfo.SELF), kernelControllers(Path.of("/proc/cgroups")), CgroupLayout::readQuietly);
    }

    /**
     * @param mounts            the mount table
     * @param kernelControllers controller names the kernel has (first column of {@code /proc/cgroups}); empty
     *                          when unknown
     * @param reader            reads a file, {@code null} when it cannot: used for a v2 root's
     *                          {@code cgroup.controllers}
     */
    public static CgroupLayout detect(List<MountInfo> mounts, Set<String> kernelControllers, Function<Path, String> reader) {
        Set<String> known = kernelControllers.isEmpty() ? V1_CONTROLLERS : kernelControllers;
        // One hierarchy may be mounted several times (bind mounts, containers): keep the mount that shows
        // most of it, i.e. the shortest root, then the shortest mount point.
        Map<String, MountInfo> byDevice = new LinkedHashMap<>();
        mounts.stream()
                .filter(m -> m.fsType().equals("cgroup") || m.fsType().equals("cgroup2"))
                .sorted(Comparator.comparingInt((MountInfo m) -> m.root().length())
                        .thenComparingInt(m -> m.mountPoint().length()))
                .forEach(m -> byDevice.putIfAbsent(m.device(), m));
        List<Hierarchy> found = new ArrayList<>();
        for (MountInfo m : byDevice.values()) {
            Path point = Path.of(m.mountPoint());
            if (m.fsType().equals("cgroup2")) {
                String listed = reader.apply(point.resolve("cgroup.controllers"));
                Set<String> controllers = new HashSet<>();
                if (listed != null) {
                    for (String c : listed.trim().split("\\s+")) {
                        if (!c.isEmpty()) {
                            controllers.add(c);
                        }
                    }
                }
                found.add(new Hierarchy(CgroupVersion.V2, point, m.root(), controllers));
            } else {
                Set<String> controllers = new HashSet<>();
                for (String option : m.superOptions().split(",")) {
                    if (known.contains(option)) {
                        controllers.add(option);
                    }
                }
                // name=systemd and other controller-less v1 hierarchies only group processes: not ours to use
                if (!controllers.isEmpty()) {
                    found.add(new Hierarchy(CgroupVersion.V1, point, m.root(), controllers));
                }
            }
        }
        found.sort(Comparator.comparing(h -> h.mountPoint().toString()));
        return new CgroupLayout(found);
    }

    /** Controller names in the first column of {@code /proc/cgroups}; empty if the file is absent. */
    static Set<String> kernelControllers(Path procCgroups) {
        String text = readQuietly(procCgroups);
        Set<String> names = new HashSet<>();
        if (text != null) {
            for (String line : text.split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    names.add(line.split("\\s+")[0]);
                }
            }
        }
        return names;
    }

    public Mode mode() {
        boolean v1 = hierarchies.stream().anyMatch(h -> h.version() == CgroupVersion.V1);
        boolean v2 = unified().isPresent();
        return v1 && v2 ? Mode.HYBRID : v1 ? Mode.LEGACY : v2 ? Mode.UNIFIED : Mode.NONE;
    }

    /** The cgroup2 hierarchy, if mounted. */
    public Optional<Hierarchy> unified() {
        return hierarchies.stream().filter(h -> h.version() == CgroupVersion.V2).findFirst();
    }

    /** The v1 hierarchy holding {@code controller}, if one does. */
    public Optional<Hierarchy> legacy(String controller) {
        return hierarchies.stream().filter(h -> h.version() == CgroupVersion.V1 && h.has(controller)).findFirst();
    }

    /** Where a controller is: its v1 hierarchy, else the unified hierarchy if that offers it. */
    public Optional<Hierarchy> holding(String controller) {
        Optional<Hierarchy> v1 = legacy(controller);
        return v1.isPresent() ? v1 : unified().filter(h -> h.has(controller));
    }

    /**
     * What the mounts say, without touching anything: {@code cgroup=hybrid}, and where each controller is
     * ({@code cgroup.memory=v1}; a v2 one is offered by the root and enabled for sandboxes on first use).
     */
    public Map<String, String> facts() {
        Map<String, String> facts = new TreeMap<>();
        facts.put("cgroup", mode().name().toLowerCase(Locale.ROOT));
        for (Controller c : List.of(Controller.MEMORY, Controller.PIDS, Controller.CPU, Controller.CPUSET)) {
            facts.put("cgroup." + c.kernelName(), holding(c.kernelName())
                    .map(h -> h.version() == CgroupVersion.V1 ? "v1" : "v2").orElse("none"));
        }
        return facts;
    }

    /** This layout without its cgroup2 mount: how a v1-only host looks (for tests of the v1 code paths). */
    public CgroupLayout withoutUnified() {
        return new CgroupLayout(hierarchies.stream().filter(h -> h.version() == CgroupVersion.V1).toList());
    }

    /** Only the cgroup2 mount: how a pure v2 host looks, with whatever controllers this one offers there. */
    public CgroupLayout unifiedOnly() {
        return new CgroupLayout(unified().stream().toList());
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }
}
