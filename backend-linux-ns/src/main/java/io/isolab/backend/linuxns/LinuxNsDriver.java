package io.isolab.backend.linuxns;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.Mount;
import io.isolab.api.SandboxSpec;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import io.isolab.backend.linuxns.cgroup.CgroupException;
import io.isolab.backend.linuxns.cgroup.Cgroups;
import io.isolab.launcher.Credentials;
import io.isolab.launcher.RootfsUsers;
import io.isolab.launcher.Launcher;
import io.isolab.launcher.Namespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The opened linux-ns backend: one {@link Launcher} (one I/O thread) and one view of the host's cgroups
 * for all its sandboxes. A sandbox's only host resources are its cgroups (they hold its processes); its
 * mounts and network namespace live in namespaces that die with its last process, and its overlay upper
 * directory in the sandbox directory the host removes.
 */
final class LinuxNsDriver implements BackendDriver {
    static final String ID = "linux-ns";
    static final String PREFIX = "isolab-" + ID + "-";

    private final BackendContext<LinuxNsSettings> context;
    private final Launcher launcher;
    private final Cgroups cgroups;
    private final IdMaps idMaps;
    private final Set<Namespace> namespaces;

    LinuxNsDriver(BackendContext<LinuxNsSettings> context) {
        this.context = context;
        this.idMaps = IdMaps.forHost(context.settings().userNamespace(), euid(), egid());
        this.cgroups = openCgroups(context.settings());
        this.namespaces = EnumSet.of(Namespace.USER, Namespace.MOUNT, Namespace.PID, Namespace.UTS, Namespace.IPC,
                Namespace.CGROUP);
        if (Namespace.TIME.supported()) {
            namespaces.add(Namespace.TIME);
        }
        this.launcher = Launcher.open(context.cacheDir());
    }

    /** Rootless without a delegated cgroup there are none: sandboxes then run without limits, stats or pause. */
    private Cgroups openCgroups(LinuxNsSettings settings) {
        try {
            return Cgroups.open(settings.cgroupParent());
        } catch (CgroupException e) {
            if (!idMaps.rootless()) {
                throw e;
            }
            return null;
        }
    }

    @Override
    public void validate(SandboxSpec spec) {
        credentials(spec);
        for (Mount m : spec.mounts()) {
            if (!Files.exists(m.source())) {
                throw new InvalidSpecException("mounts.source", "no such file or directory: " + m.source());
            }
        }
        if (cgroups == null && (spec.limits().memoryBytes() != null || spec.limits().cpus() != null
                || spec.limits().maxPids() != null)) {
            throw new InvalidSpecException("limits", "limits need a cgroup this user can write: run as root, or"
                    + " delegate a cgroup to uid " + euid() + " and set backends.linux-ns.cgroup-parent to it");
        }
    }

    /** Who the workload runs as, from the rootfs's own passwd; {@code null} for the namespace's root. */
    Credentials credentials(SandboxSpec spec) {
        Path rootfs = spec.rootfs();
        if (!Files.isDirectory(rootfs)) {
            throw new InvalidSpecException("rootfs", "no such directory: " + rootfs);
        }
        if (rootfs.toString().matches(".*[,:\\\\].*")) {
            throw new InvalidSpecException("rootfs", "overlayfs cannot use a path with ',', ':' or '\\': " + rootfs);
        }
        if (spec.process().user() == null) {
            return null;
        }
        Credentials credentials = RootfsUsers.resolve(rootfs, spec.process().user());
        if (!idMaps.mapsUid(credentials.uid())) {
            throw new InvalidSpecException("process.user", "uid " + credentials.uid() + " is not mapped in the"
                    + " sandbox's user namespace" + (idMaps.rootless() ? " (rootless: only root is)" : ""));
        }
        return credentials;
    }

    @Override
    public SandboxHandle create(SandboxSpec spec, SandboxContext sandbox) {
        return LinuxNsSandbox.create(this, spec, sandbox, credentials(spec));
    }

    @Override
    public List<HostResource> inventory() {
        return cgroups == null ? List.of() : cgroups.inventory(PREFIX);
    }

    @Override
    public void reclaim(HostResource resource) {
        if (cgroups != null && resource.kind().equals("cgroup")) {
            cgroups.reclaim(resource);
        }
    }

    @Override
    public Map<String, String> facts() {
        Map<String, String> facts = new TreeMap<>();
        if (cgroups != null) {
            facts.putAll(cgroups.facts());
        } else {
            facts.put("cgroup", "none");
        }
        facts.put("root", "pivot_root overlay");
        facts.put("user-namespace", idMaps.rootless() ? "rootless" : context.settings().userNamespace().key());
        return facts;
    }

    @Override
    public void close() {
        launcher.close();
        if (cgroups != null) {
            cgroups.close();
        }
    }

    Launcher launcher() {
        return launcher;
    }

    Optional<Cgroups> cgroups() {
        return Optional.ofNullable(cgroups);
    }

    IdMaps idMaps() {
        return idMaps;
    }

    LinuxNsSettings settings() {
        return context.settings();
    }

    /** The namespaces every sandbox gets, besides a network namespace unless it shares the host's. */
    Set<Namespace> namespaces() {
        return namespaces;
    }

    static long euid() {
        return id("unix:uid");
    }

    static long egid() {
        return id("unix:gid");
    }

    /** The owner of /proc/self is this process's effective uid and gid. */
    private static long id(String attribute) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), attribute)).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
