package io.isolab.backend.linuxns;

import io.isolab.api.Capability;
import io.isolab.api.IsolabException;
import io.isolab.api.Mount;
import io.isolab.api.ProcessSpec;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStats;
import io.isolab.api.UnsupportedCapabilityException;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import io.isolab.backend.linuxns.cgroup.SandboxCgroup;
import io.isolab.launcher.BindMount;
import io.isolab.launcher.Credentials;
import io.isolab.launcher.JoinTarget;
import io.isolab.launcher.LaunchRequest;
import io.isolab.launcher.LaunchException;
import io.isolab.launcher.LaunchedProcess;
import io.isolab.launcher.LinuxCapability;
import io.isolab.launcher.Namespace;
import io.isolab.launcher.ParkedLaunch;
import io.isolab.launcher.PreparedRoot;
import io.isolab.launcher.RootSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One linux-ns sandbox. {@link #create} makes its cgroup (limits written) and its private directories;
 * {@link #start} launches the workload, which the launcher's child puts in that cgroup, in new namespaces
 * and on a pivot_root'ed overlay of the rootfs before its first instruction. No process of isolab's stays
 * beside it: the JVM is its parent and its cgroup finds everything it forks.
 */
final class LinuxNsSandbox implements SandboxHandle {
    /** Where the overlay is mounted and its layers live, inside the sandbox's private directory. */
    private static final String ROOT = "root";
    private static final String UPPER = "upper";
    private static final String WORK = "work";

    private final LinuxNsDriver driver;
    private final SandboxSpec spec;
    private final SandboxContext context;
    private final Credentials credentials;
    private final SandboxCgroup cgroup;
    private final Set<Namespace> namespaces;
    /** The sandbox's user namespace, if it has one. */
    private final Optional<IdMaps> ids;
    private volatile LaunchedProcess main;

    private LinuxNsSandbox(LinuxNsDriver driver, SandboxSpec spec, SandboxContext context, Credentials credentials,
                           SandboxCgroup cgroup) {
        this.driver = driver;
        this.spec = spec;
        this.context = context;
        this.credentials = credentials;
        this.cgroup = cgroup;
        this.namespaces = driver.namespaces(spec);
        this.ids = driver.idMaps(spec);
    }

    /**
     * Makes the overlay's directories when they are on disk and the cgroup, limits written; on failure
     * removes what it made.
     */
    static LinuxNsSandbox create(LinuxNsDriver driver, SandboxSpec spec, SandboxContext context, Credentials credentials) {
        if (driver.settings().overlayUpper() == OverlayUpper.DISK) {
            makeLayers(driver, spec, context);
        }
        SandboxCgroup cgroup = driver.cgroups()
                .map(c -> c.create(context.sandboxId(), driver.settings().cgroupLimits(spec.limits())))
                .orElse(null);
        return new LinuxNsSandbox(driver, spec, context, credentials, cgroup);
    }

    private static void makeLayers(LinuxNsDriver driver, SandboxSpec spec, SandboxContext context) {
        try {
            for (String dir : List.of(ROOT, UPPER, WORK)) {
                Files.createDirectory(context.dir().resolve(dir));
            }
            Optional<IdMaps> ids = driver.idMaps(spec);
            if (ids.isPresent() && ids.get().rootUid() != 0 && !ids.get().rootless()) {
                // the namespace's root (an unprivileged host uid) writes the upper layer
                for (Path p : List.of(context.dir(), context.dir().resolve(UPPER), context.dir().resolve(WORK))) {
                    Files.setAttribute(p, "unix:uid", (int) ids.get().rootUid());
                    Files.setAttribute(p, "unix:gid", (int) ids.get().rootGid());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the directories of " + context.sandboxId(), e);
        }
    }

    /**
     * The pivot root of a sandbox with its layers in memory, a network namespace of its own and no user
     * namespace, before what is its own (bind mounts, read-only root): what {@link PreparedPool} prepares.
     */
    static RootSetup.Pivot preparedRoot(Path rootfs, Path mountPoint) {
        return preparedShape(rootfs, mountPoint).build();
    }

    /** The root of a launch parked in {@code prepared} by {@link PreparedPool}: nothing of its own added. */
    static RootSetup.Pivot parkedRoot(PreparedRoot prepared) {
        return preparedShape(prepared.base().rootfs(), prepared.base().mountPoint()).prepared(prepared).build();
    }

    private static RootSetup.Pivot.Builder preparedShape(Path rootfs, Path mountPoint) {
        return memoryRoot(rootfs, mountPoint).sysfs(true).dev(RootSetup.Pivot.DevMode.MKNOD);
    }

    private static RootSetup.Pivot.Builder memoryRoot(Path rootfs, Path mountPoint) {
        return RootSetup.pivot(rootfs, mountPoint).memoryOverlay();
    }

    @Override
    public ExecHandle start(ProcessIo io) {
        boolean ownNet = namespaces.contains(Namespace.NET);
        // namespaces made ahead, if the pool has them: only for a network of its own without a user namespace
        PreparedPool.Ready ready = ownNet && ids.isEmpty()
                ? driver.prepared().take(spec.rootfs(), parkable() ? namespaces : null) : null;
        ParkedLaunch parked = ready != null ? ready.parked() : null;
        try {
            LaunchRequest.Builder request = LaunchRequest.builder(spec.process().argv())
                    .env(spec.process().env())
                    .cwd(spec.process().cwd())
                    .credentials(credentials)
                    .root(parked != null ? parked.root() : root(ownNet, ready))
                    .namespaces(namespaces)
                    .hostname(spec.hostname() != null ? spec.hostname() : context.sandboxId())
                    .capabilities(LinuxCapability.OCI_DEFAULT)
                    .noNewPrivileges(true)
                    .newSession(true)
                    .network(ready != null ? ready.network() : null)
                    .loopbackUp(ownNet && ready == null)
                    // the sandbox's mounts live until destroy, which tears them down, not the workload's exit
                    .keepMountNamespace(true);
            ids.ifPresent(i -> request.idMaps(i.uids(), i.gids(), i.denySetgroups()));
            if (cgroup != null) {
                cgroup.dirs().forEach(request::cgroup);
            }
            main = parked != null ? launchParked(parked, request, ownNet, io) : driver.launcher().launch(request.build(), io);
            // nothing ran in the cgroup before: the OOM counter starts at 0
            return new SandboxProcessHandle(main, cgroup, 0);
        } finally {
            if (ready != null) {
                ready.close(); // a no-op once the launch took it
                driver.prepared().refill();
            }
        }
    }

    /**
     * Launches in the parked child, or, when it was killed while it waited (an administrator's kill of
     * {@code isolab-parked}), the usual way: what was prepared went with it.
     */
    private LaunchedProcess launchParked(ParkedLaunch parked, LaunchRequest.Builder request, boolean ownNet, ProcessIo io) {
        try {
            return driver.launcher().launch(parked, request.build(), io);
        } catch (LaunchException e) {
            if (!e.step().equals(ParkedLaunch.GONE)) {
                throw e;
            }
            return driver.launcher().launch(request.root(root(ownNet, null)).loopbackUp(ownNet).build(), io);
        }
    }

    /**
     * Whether a launch parked ahead in a prepared root can be this sandbox's: its root has nothing of its
     * own (no bind mounts, not read-only, layers in memory) and it has no time namespace.
     */
    private boolean parkable() {
        return spec.mounts().isEmpty() && !spec.readOnlyRoot() && !namespaces.contains(Namespace.TIME)
                && driver.settings().overlayUpper() == OverlayUpper.MEMORY;
    }

    private RootSetup.Pivot root(boolean ownNet, PreparedPool.Ready ready) {
        RootSetup.Pivot.Builder root;
        if (driver.settings().overlayUpper() == OverlayUpper.DISK) {
            root = RootSetup.pivot(spec.rootfs(), context.dir().resolve(ROOT))
                    .overlay(context.dir().resolve(UPPER), context.dir().resolve(WORK));
        } else {
            // the layers' tmpfs covers the sandbox directory in the sandbox's mount namespace only
            root = memoryRoot(spec.rootfs(), context.dir());
        }
        root.readOnly(spec.readOnlyRoot())
                // sysfs may be mounted in a user namespace only with a network namespace of its own
                .sysfs(ownNet || ids.isEmpty())
                // a user namespace cannot mknod: there the host's device nodes are bind-mounted
                .dev(ids.isPresent() ? RootSetup.Pivot.DevMode.BIND : RootSetup.Pivot.DevMode.MKNOD);
        for (Mount m : spec.mounts()) {
            root.mount(new BindMount(m.source(), m.target(), m.readOnly()));
        }
        if (ready != null && ready.root() != null) {
            root.prepared(ready.root());
        }
        return root.build();
    }

    @Override
    public ExecHandle exec(ProcessSpec process, ProcessIo io) {
        LaunchedProcess first = main;
        if (first == null || !first.isAlive()) {
            throw new IsolabException("cannot exec in " + context.sandboxId() + ": its main process has exited");
        }
        Credentials who = process.user() == null ? null
                : driver.credentials(spec.toBuilder().user(process.user()).build());
        LaunchRequest.Builder request = LaunchRequest.builder(process.argv())
                .env(process.env())
                .cwd(process.cwd())
                .credentials(who)
                .join(new JoinTarget(first.pid(), namespaces))
                .capabilities(LinuxCapability.OCI_DEFAULT)
                .noNewPrivileges(true)
                .newSession(true);
        if (cgroup != null) {
            cgroup.dirs().forEach(request::cgroup);
        }
        long oomKillsBefore = oomKills();
        return new SandboxProcessHandle(driver.launcher().launch(request.build(), io), cgroup, oomKillsBefore);
    }

    @Override
    public void killAll() {
        if (cgroup != null) {
            cgroup.killAll();
        } else if (main != null) {
            main.kill(9); // rootless without cgroups: the pid namespace dies with its init
        }
    }

    @Override
    public SandboxStats stats() {
        SandboxStats s = requireCgroup(Capability.STATS).stats();
        // no monitor process: nothing on the host is kept for the sandbox beyond what its cgroup counts
        return new SandboxStats(s.cpuNanos(), s.memoryBytes(), s.memoryPeakBytes(), s.pids(), s.pidsPeak(), 0L, s.extra());
    }

    @Override
    public void pause() {
        requireCgroup(Capability.PAUSE).freeze();
    }

    @Override
    public void resume() {
        requireCgroup(Capability.PAUSE).thaw();
    }

    /**
     * Kills what runs (the cgroup holds every process, wherever it forked) and removes the cgroup, then
     * lets go of the mount namespace the launcher kept, which takes the mounts with it (the network
     * namespace went with the last process), and deletes the overlay's layers if they are on disk.
     */
    @Override
    public void destroy() {
        try {
            if (cgroup != null) {
                cgroup.remove();
            } else if (main != null) {
                main.kill(9);
                awaitQuietly(main);
            }
        } finally {
            if (main != null) {
                main.releaseMountNamespace();
            }
        }
        if (driver.settings().overlayUpper() == OverlayUpper.DISK) {
            // in memory the layers were never on the host: looking for them threw six exceptions per sandbox
            discardLayers();
        }
    }

    /**
     * Deletes the overlay's directories now rather than leaving them to the host: overlayfs makes
     * {@code work/work} with mode 000, which a rootless owner cannot walk until it gives itself access.
     */
    private void discardLayers() {
        for (String layer : List.of(WORK, UPPER, ROOT)) {
            Path top = context.dir().resolve(layer);
            try {
                deleteTree(top);
            } catch (NoSuchFileException e) {
                // never made, or gone already
            } catch (IOException e) {
                throw new UncheckedIOException("cannot discard " + top + " of " + context.sandboxId(), e);
            }
        }
    }

    /** Depth first, giving each directory to its owner first (the mode-000 work/work). Links are not followed. */
    private static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    deleteTree(child);
                }
            }
        }
        Files.delete(path);
    }

    private static void awaitQuietly(LaunchedProcess process) {
        try {
            process.awaitExit(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String backendId() {
        return LinuxNsDriver.ID;
    }

    private long oomKills() {
        return cgroup == null ? 0 : cgroup.oomKills();
    }

    private SandboxCgroup requireCgroup(Capability capability) {
        if (cgroup == null) {
            throw new UnsupportedCapabilityException(LinuxNsDriver.ID, capability,
                    "without a writable cgroup (rootless, none delegated)");
        }
        return cgroup;
    }
}
