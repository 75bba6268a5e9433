package io.isolab.backend.linuxns.cgroup;

import io.isolab.api.spi.HostResource;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's cgroups as isolab uses them: v1, v2 or hybrid behind one interface. Sandboxes get a cgroup
 * named with their id under a parent ({@code isolab} by default) on every hierarchy they need:
 *
 * <pre>{@code
 * Cgroups cgroups = Cgroups.open("isolab");
 * SandboxCgroup cg = cgroups.create("isolab-linux-ns-0123456789", CgroupLimits.from(spec.limits()));
 * cg.dirs().forEach(request::cgroup);    // the launcher's child joins them before execve
 * ... cg.stats(); cg.freeze(); cg.thaw(); cg.oomKilled();
 * cg.remove();                           // kills what is left, rmdirs every hierarchy
 * }</pre>
 *
 * <p>The parent is a path from the root of each hierarchy, not from the JVM's own cgroup: on v2 a cgroup
 * with processes in it cannot hand controllers to children, and the JVM's cgroup belongs to whatever
 * started it (here a supervisor's {@code /process_api/<id>} memory cgroup). Thread-safe.
 */
public final class Cgroups implements AutoCloseable {
    public static final String DEFAULT_PARENT = "isolab";
    private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@:-]+");
    /** The v2 controllers isolab enables for its sandboxes, where the unified hierarchy has them. */
    private static final List<Controller> V2_CONTROLLERS = List.of(Controller.MEMORY, Controller.PIDS, Controller.CPU,
            Controller.CPUSET);
    private static final int CREATE_ATTEMPTS = 3;

    private final CgroupLayout layout;
    private final String parent;
    private volatile Placement placement;
    private volatile Facts facts;

    /** The facts of one placement. */
    private record Facts(Placement of, Map<String, String> facts) {
    }

    private Cgroups(CgroupLayout layout, String parent) {
        this.layout = layout;
        this.parent = parent;
    }

    /**
     * Probes the host's cgroups.
     *
     * @param parent where sandbox cgroups go, relative to the root of every hierarchy
     * @throws CgroupException saying why cgroups cannot be used here (none mounted, not writable)
     */
    public static Cgroups open(String parent) {
        return open(CgroupLayout.ofThisProcess(), parent);
    }

    /** As {@link #open(String)} on a given layout, e.g. {@link CgroupLayout#withoutUnified()} in tests. */
    public static Cgroups open(CgroupLayout layout, String parent) {
        String relative = checkParent(parent);
        if (layout.mode() == CgroupLayout.Mode.NONE) {
            throw new CgroupException("no cgroup hierarchy is mounted (no cgroup or cgroup2 entry in /proc/self/mountinfo)");
        }
        for (Hierarchy h : used(layout)) {
            Path dir = h.resolve(relative);
            Path probe = Files.isDirectory(dir) ? dir : h.mountPoint();
            if (!Files.isWritable(probe)) {
                throw new CgroupException("cannot create cgroups in " + probe + " (" + h + ") as uid "
                        + System.getProperty("user.name") + ": run as root, or delegate a cgroup to this user and set"
                        + " cgroup-parent to it");
            }
        }
        return new Cgroups(layout, relative);
    }

    /** The hierarchies sandboxes may join: the unified one and those holding isolab's controllers. */
    private static Set<Hierarchy> used(CgroupLayout layout) {
        Set<Hierarchy> used = new LinkedHashSet<>();
        layout.unified().ifPresent(used::add);
        for (Controller c : Controller.values()) {
            layout.legacy(c.kernelName()).ifPresent(used::add);
        }
        return used;
    }

    /** The parent as a relative path, checked component by component. */
    public static String checkParent(String parent) {
        String relative = parent == null ? "" : parent.replaceAll("^/+|/+$", "");
        if (relative.isEmpty()) {
            throw new IllegalArgumentException("must name a cgroup below the root (got '" + parent + "')");
        }
        for (String part : relative.split("/+")) {
            if (!NAME.matcher(part).matches() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("'" + part + "' is not a valid cgroup name (in '" + parent + "')");
            }
        }
        return relative;
    }

    public CgroupLayout layout() {
        return layout;
    }

    public String parent() {
        return parent;
    }

    /** Whether sandboxes here can be limited by {@code controller}: it is mounted (v1) or enabled (v2). */
    public boolean supports(Controller controller) {
        return placement().of(controller).isPresent();
    }

    /**
     * What the host offers, for results and {@code isolab backends}: {@code cgroup=hybrid}, {@code cgroup.memory=v1} ...
     * Unmodifiable.
     */
    public Map<String, String> facts() {
        Placement p = placement();
        Facts f = facts;
        if (f == null || f.of() != p) {
            // every result carries them: made once per placement, not once per sandbox
            f = new Facts(p, Collections.unmodifiableMap(factsOf(p)));
            facts = f;
        }
        return f.facts();
    }

    private Map<String, String> factsOf(Placement p) {
        Map<String, String> facts = new TreeMap<>();
        facts.put("cgroup", layout.mode().name().toLowerCase(Locale.ROOT));
        facts.put("cgroup.parent", parent);
        for (Controller c : Controller.values()) {
            facts.put("cgroup." + c.kernelName(), p.of(c).map(h -> h.version() == CgroupVersion.V1 ? "v1" : "v2").orElse("none"));
        }
        facts.put("cgroup.kill", p.unifiedKill() ? "cgroup.kill" : p.of(Controller.FREEZER).isPresent() ? "freeze+sigkill" : "sigkill");
        return facts;
    }

    /**
     * Creates the cgroup of a sandbox on every hierarchy it needs and writes its limits, so that a process
     * joining it is limited from its first instruction. On failure nothing is left behind.
     *
     * @param sandboxId the directory name, {@code isolab-<backend>-<hex>}
     * @throws CgroupException when a limit needs a controller this host lacks, or the kernel refuses a value
     */
    public SandboxCgroup create(String sandboxId, CgroupLimits limits) {
        checkName(sandboxId);
        for (int attempt = 1; ; attempt++) {
            Placement p = placement();
            for (Controller c : limits.controllers()) {
                if (p.of(c).isEmpty()) {
                    throw new CgroupException("the " + c.kernelName() + " controller is not available for sandboxes here "
                            + "(cgroups: " + layout.mode().name().toLowerCase(Locale.ROOT) + ", " + layout.hierarchies() + ")");
                }
            }
            Map<Hierarchy, CgroupDir> made = new LinkedHashMap<>();
            try {
                for (Hierarchy h : p.forLimits(limits)) {
                    CgroupDir dir = new CgroupDir(h, h.resolve(parent).resolve(sandboxId));
                    Files.createDirectory(dir.path());
                    made.put(h, dir);
                }
                SandboxCgroup cgroup = new SandboxCgroup(sandboxId, p, made);
                LimitWriter.apply(cgroup, limits);
                return cgroup;
            } catch (NoSuchFileException e) {
                // the parent is gone: another isolab process pruned it between our preparation and mkdir
                SandboxCgroup.removeQuietly(made.values());
                if (attempt == CREATE_ATTEMPTS) {
                    throw new CgroupException("cannot create " + e.getFile() + ": its parent keeps disappearing", e);
                }
                placement = null;
            } catch (FileAlreadyExistsException e) {
                SandboxCgroup.removeQuietly(made.values());
                throw new CgroupException("cgroup " + e.getFile() + " already exists: sandbox ids must be unique", e);
            } catch (IOException e) {
                SandboxCgroup.removeQuietly(made.values());
                throw new CgroupException("cannot create cgroup for " + sandboxId + ": " + CgroupDir.reason(e), e);
            } catch (RuntimeException e) {
                SandboxCgroup.removeQuietly(made.values());
                throw e;
            }
        }
    }

    /** The cgroup of a sandbox created earlier, possibly by another process: every hierarchy where it exists. */
    public SandboxCgroup attach(String sandboxId) {
        checkName(sandboxId);
        Placement p = placement();
        Map<Hierarchy, CgroupDir> found = new LinkedHashMap<>();
        for (Hierarchy h : p.all()) {
            CgroupDir dir = new CgroupDir(h, h.resolve(parent).resolve(sandboxId));
            if (dir.exists()) {
                found.put(h, dir);
            }
        }
        return new SandboxCgroup(sandboxId, p, found);
    }

    /**
     * Every sandbox cgroup under the parent whose name starts with {@code namePrefix}, one resource per
     * hierarchy, named by its path, owned by the sandbox its directory is named after.
     */
    public List<HostResource> inventory(String namePrefix) {
        List<HostResource> found = new ArrayList<>();
        for (Hierarchy h : placement().all()) {
            Path dir = h.resolve(parent);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> children = Files.list(dir)) {
                children.filter(Files::isDirectory)
                        .filter(c -> c.getFileName().toString().startsWith(namePrefix))
                        .sorted()
                        .forEach(c -> found.add(new HostResource("cgroup", c.toString(), c.getFileName().toString())));
            } catch (IOException e) {
                throw new CgroupException("cannot list " + dir + ": " + CgroupDir.reason(e), e);
            }
        }
        return found;
    }

    /** Kills what is in a sandbox's cgroups and removes them on every hierarchy; idempotent. */
    public void reclaim(HostResource resource) {
        if (!resource.kind().equals("cgroup")) {
            throw new IllegalArgumentException("not a cgroup: " + resource);
        }
        attach(resource.sandboxId()).remove();
        pruneParent();
    }

    /** Removes the parent cgroups if no sandbox is left in them. */
    @Override
    public void close() {
        pruneParent();
    }

    /**
     * Removes the parent's last directory where it is empty, and only when its name says it is isolab's
     * (a parent such as {@code machine.slice} belongs to someone else). Another process may be using it:
     * rmdir of a non-empty cgroup fails with EBUSY and that is fine; one about to create in it retries.
     */
    private void pruneParent() {
        String last = parent.substring(parent.lastIndexOf('/') + 1);
        if (!last.startsWith("isolab")) {
            return;
        }
        for (Hierarchy h : used(layout)) {
            Path dir = h.resolve(parent);
            try (Stream<Path> children = Files.list(dir)) {
                if (children.anyMatch(Files::isDirectory)) {
                    continue;
                }
            } catch (IOException e) {
                continue;
            }
            try {
                Files.delete(dir);
            } catch (IOException e) {
                LOG.debug("parent cgroup {} stays: {}", dir, CgroupDir.reason(e));
            }
        }
        placement = null;
    }

    private Placement placement() {
        Placement p = placement;
        if (p == null) {
            synchronized (this) {
                p = placement;
                if (p == null) {
                    p = prepare();
                    placement = p;
                }
            }
        }
        return p;
    }

    /**
     * Makes the parent exist on every hierarchy and ready to hold sandboxes: on v2 the controllers enabled in
     * {@code cgroup.subtree_control} from the root down, on v1 {@code cpuset.cpus}/{@code mems} copied
     * down (a v1 cpuset cgroup starts empty and takes no task until both are set). Idempotent.
     */
    private Placement prepare() {
        Map<Controller, Hierarchy> roles = new EnumMap<>(Controller.class);
        Optional<Hierarchy> unified = layout.unified();
        boolean unifiedKill = false;
        boolean unifiedFreeze = false;
        for (Hierarchy h : used(layout)) {
            ensureDirs(h);
        }
        if (unified.isPresent()) {
            Hierarchy u = unified.get();
            Set<String> enabled = enableControllers(u);
            for (Controller c : V2_CONTROLLERS) {
                if (layout.legacy(c.kernelName()).isEmpty() && enabled.contains(c.kernelName())) {
                    roles.put(c, u);
                }
            }
            CgroupDir parentDir = new CgroupDir(u, u.resolve(parent));
            unifiedKill = parentDir.has("cgroup.kill");
            unifiedFreeze = parentDir.has("cgroup.freeze");
            roles.put(Controller.CPUACCT, u); // cpu.stat usage_usec is core: there without the cpu controller
            if (unifiedFreeze) {
                roles.put(Controller.FREEZER, u);
            }
        }
        for (Controller c : Controller.values()) {
            if (!roles.containsKey(c)) {
                layout.legacy(c.kernelName()).ifPresent(h -> roles.put(c, h));
            }
        }
        layout.legacy(Controller.CPUSET.kernelName()).ifPresent(this::copyCpusetDown);
        return new Placement(roles, unified, unifiedKill, new InterfaceFiles());
    }

    private void ensureDirs(Hierarchy h) {
        Path dir = h.mountPoint();
        for (String part : parent.split("/")) {
            dir = dir.resolve(part);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // made earlier, by us or another isolab process
            } catch (IOException e) {
                throw new CgroupException("cannot create parent cgroup " + dir + ": " + CgroupDir.reason(e), e);
            }
        }
    }

    /** Enables isolab's v2 controllers from the root down to the parent; returns those enabled at the parent. */
    private Set<String> enableControllers(Hierarchy u) {
        Path dir = u.mountPoint();
        List<Path> levels = new ArrayList<>();
        levels.add(dir);
        String[] parts = parent.split("/");
        for (int i = 0; i < parts.length; i++) {
            dir = dir.resolve(parts[i]);
            levels.add(dir);
        }
        Set<String> enabled = new HashSet<>();
        for (Path level : levels) {
            CgroupDir d = new CgroupDir(u, level);
            Set<String> available = Set.of(d.read("cgroup.controllers").trim().split("\\s+"));
            Set<String> active = new HashSet<>(List.of(d.read("cgroup.subtree_control").trim().split("\\s+")));
            enabled = new HashSet<>();
            for (Controller c : V2_CONTROLLERS) {
                String name = c.kernelName();
                if (!available.contains(name)) {
                    continue;
                }
                if (!active.contains(name)) {
                    try {
                        d.write("cgroup.subtree_control", "+" + name);
                    } catch (CgroupException e) {
                        // e.g. EBUSY: the level has processes of its own ("no internal processes" rule)
                        LOG.warn("cgroup v2 controller {} stays unavailable to sandboxes: {}", name, e.getMessage());
                        continue;
                    }
                }
                enabled.add(name);
            }
        }
        return enabled;
    }

    private void copyCpusetDown(Hierarchy h) {
        Path dir = h.mountPoint();
        for (String part : parent.split("/")) {
            CgroupDir up = new CgroupDir(h, dir);
            dir = dir.resolve(part);
            CgroupDir here = new CgroupDir(h, dir);
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (here.read(file).isBlank()) {
                    here.write(file, up.read(file).trim());
                }
            }
        }
    }

    private static void checkName(String sandboxId) {
        if (sandboxId == null || !NAME.matcher(sandboxId).matches() || sandboxId.startsWith(".")) {
            throw new IllegalArgumentException("not a valid cgroup name: '" + sandboxId + "'");
        }
    }

    @Override
    public String toString() {
        return "cgroups " + layout.mode().name().toLowerCase(Locale.ROOT) + " " + layout.hierarchies() + ", parent " + parent;
    }
}
