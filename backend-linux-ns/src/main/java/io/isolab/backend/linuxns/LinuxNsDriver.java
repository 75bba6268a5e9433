package io.isolab.backend.linuxns;

import io.isolab.api.Capability;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.Mount;
import io.isolab.api.NetworkMode;
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
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The opened linux-ns backend: one {@link Launcher} (one I/O thread) and one view of the host's cgroups
 * for all its sandboxes. A sandbox's only host resources are its cgroups (they hold its processes); its
 * mounts live in a mount namespace that this JVM holds by a descriptor until destroy (so it dies with the
 * JVM too), its network namespace dies with its last process, and its overlay upper directory is in the
 * sandbox directory the host removes.
 */
final class LinuxNsDriver implements BackendDriver {
    static final String ID = "linux-ns";
    static final String PREFIX = "isolab-" + ID + "-";
    /** What overlayfs splits its options at (',') and its lower dirs at (':'), and its escape. */
    private static final Pattern OVERLAY_SEPARATORS = Pattern.compile("[,:\\\\]");

    private final BackendContext<LinuxNsSettings> context;
    private final Launcher launcher;
    private final Cgroups cgroups;
    /** The user namespace of every sandbox (rootless, or the setting asks for one), or {@code null}. */
    private final IdMaps always;
    /** The user namespace of a spec that requires user-isolation. */
    private final IdMaps whenRequired;
    private final boolean timeNamespaces;
    private final PreparedPool prepared;
    private volatile Facts facts;

    /** The driver's facts, and the cgroups' facts they were made with. */
    private record Facts(Map<String, String> ofCgroups, Map<String, String> all) {
    }

    LinuxNsDriver(BackendContext<LinuxNsSettings> context) {
        this.context = context;
        UserNamespaceMode mode = context.settings().userNamespace();
        if (euid() != 0) {
            this.always = IdMaps.rootless(euid(), egid());
        } else {
            this.always = mode == UserNamespaceMode.WHEN_REQUIRED ? null : IdMaps.asRoot(mode);
        }
        this.whenRequired = always != null ? always : IdMaps.asRoot(UserNamespaceMode.MAPPED);
        this.timeNamespaces = Namespace.TIME.supported();
        this.cgroups = openCgroups(context.settings());
        this.launcher = Launcher.open(context.cacheDir());
        // made in this user namespace: of use only to sandboxes without one of their own
        this.prepared = new PreparedPool(launcher, always == null ? context.settings().prepareAhead() : 0,
                context.settings().overlayUpper() == OverlayUpper.MEMORY ? LinuxNsSandbox::preparedRoot : null,
                LinuxNsSandbox::parkedRoot, context.stateDir());
    }

    /** Rootless without a delegated cgroup there are none: sandboxes then run without limits, stats or pause. */
    private Cgroups openCgroups(LinuxNsSettings settings) {
        try {
            return Cgroups.open(settings.cgroupParent());
        } catch (CgroupException e) {
            if (always == null || !always.rootless()) {
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
        if (OVERLAY_SEPARATORS.matcher(rootfs.toString()).find()) {
            throw new InvalidSpecException("rootfs", "overlayfs cannot use a path with ',', ':' or '\\': " + rootfs);
        }
        if (spec.process().user() == null) {
            return null;
        }
        Credentials credentials = RootfsUsers.resolve(rootfs, spec.process().user());
        Optional<IdMaps> ids = idMaps(spec);
        if (ids.isPresent() && !ids.get().mapsUid(credentials.uid())) {
            throw new InvalidSpecException("process.user", "uid " + credentials.uid() + " is not mapped in the"
                    + " sandbox's user namespace" + (ids.get().rootless() ? " (rootless: only root is)" : ""));
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

    /** Unmodifiable. Every result carries them: made again only when the cgroups' own facts are new. */
    @Override
    public Map<String, String> facts() {
        Map<String, String> ofCgroups = cgroups != null ? cgroups.facts() : null;
        Facts f = facts;
        if (f == null || f.ofCgroups() != ofCgroups) {
            Map<String, String> all = new TreeMap<>();
            if (ofCgroups != null) {
                all.putAll(ofCgroups);
            } else {
                all.put("cgroup", "none");
            }
            all.put("root", "pivot_root overlay");
            all.put("user-namespace", userNamespaceFact(context.settings()));
            f = new Facts(ofCgroups, Collections.unmodifiableMap(all));
            facts = f;
        }
        return f.all();
    }

    @Override
    public void close() {
        prepared.close();
        launcher.close();
        if (cgroups != null) {
            cgroups.close();
        }
    }

    Launcher launcher() {
        return launcher;
    }

    PreparedPool prepared() {
        return prepared;
    }

    Optional<Cgroups> cgroups() {
        return Optional.ofNullable(cgroups);
    }

    /**
     * The user namespace a sandbox of {@code spec} gets: every sandbox's when rootless or when the setting
     * asks for one, else only when the spec requires user-isolation.
     */
    Optional<IdMaps> idMaps(SandboxSpec spec) {
        if (always != null) {
            return Optional.of(always);
        }
        return spec.requires().contains(Capability.USER_ISOLATION) ? Optional.of(whenRequired) : Optional.empty();
    }

    LinuxNsSettings settings() {
        return context.settings();
    }

    /**
     * The namespaces a sandbox of {@code spec} gets: mount, pid, uts, ipc and cgroup always; network unless
     * it shares the host's; user as {@link #idMaps(SandboxSpec)} says; time when the spec requires it or
     * there is a user namespace for every sandbox (rootless), where the kernel has it.
     */
    Set<Namespace> namespaces(SandboxSpec spec) {
        Set<Namespace> namespaces = EnumSet.of(Namespace.MOUNT, Namespace.PID, Namespace.UTS, Namespace.IPC,
                Namespace.CGROUP);
        if (spec.network() != NetworkMode.HOST) {
            namespaces.add(Namespace.NET);
        }
        if (idMaps(spec).isPresent()) {
            namespaces.add(Namespace.USER);
        }
        if (timeNamespaces && (always != null || spec.requires().contains(Capability.TIME_ISOLATION))) {
            namespaces.add(Namespace.TIME);
        }
        return namespaces;
    }

    /** What the user-namespace fact says: rootless, or the setting as root. */
    static String userNamespaceFact(LinuxNsSettings settings) {
        return euid() != 0 ? "rootless" : settings.userNamespace().key();
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
