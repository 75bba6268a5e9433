package io.isolab.backend.linuxns;

import io.isolab.api.Capability;
import io.isolab.api.IsolabException;
import io.isolab.api.Mount;
import io.isolab.api.NetworkMode;
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
import io.isolab.launcher.LaunchedProcess;
import io.isolab.launcher.LinuxCapability;
import io.isolab.launcher.Namespace;
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
import java.util.EnumSet;
import java.util.List;
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
    private volatile LaunchedProcess main;

    private LinuxNsSandbox(LinuxNsDriver driver, SandboxSpec spec, SandboxContext context, Credentials credentials,
                           SandboxCgroup cgroup) {
        this.driver = driver;
        this.spec = spec;
        this.context = context;
        this.credentials = credentials;
        this.cgroup = cgroup;
        this.namespaces = EnumSet.copyOf(driver.namespaces());
        if (spec.network() != NetworkMode.HOST) {
            namespaces.add(Namespace.NET);
        }
    }

    /** Makes the overlay's directories and the cgroup, limits written; on failure removes what it made. */
    static LinuxNsSandbox create(LinuxNsDriver driver, SandboxSpec spec, SandboxContext context, Credentials credentials) {
        try {
            for (String dir : List.of(ROOT, UPPER, WORK)) {
                Files.createDirectory(context.dir().resolve(dir));
            }
            IdMaps ids = driver.idMaps();
            if (ids.rootUid() != 0 && !ids.rootless()) {
                // the namespace's root (an unprivileged host uid) writes the upper layer
                for (Path p : List.of(context.dir(), context.dir().resolve(UPPER), context.dir().resolve(WORK))) {
                    Files.setAttribute(p, "unix:uid", (int) ids.rootUid());
                    Files.setAttribute(p, "unix:gid", (int) ids.rootGid());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the directories of " + context.sandboxId(), e);
        }
        SandboxCgroup cgroup = driver.cgroups()
                .map(c -> c.create(context.sandboxId(), driver.settings().cgroupLimits(spec.limits())))
                .orElse(null);
        return new LinuxNsSandbox(driver, spec, context, credentials, cgroup);
    }

    @Override
    public ExecHandle start(ProcessIo io) {
        IdMaps ids = driver.idMaps();
        boolean ownNet = namespaces.contains(Namespace.NET);
        RootSetup.Pivot.Builder root = RootSetup.pivot(spec.rootfs(), context.dir().resolve(ROOT))
                .overlay(context.dir().resolve(UPPER), context.dir().resolve(WORK))
                .readOnly(spec.readOnlyRoot())
                // sysfs may be mounted in a user namespace only with a network namespace of its own
                .sysfs(ownNet)
                // a user namespace cannot mknod: the host's device nodes are bind-mounted
                .dev(RootSetup.Pivot.DevMode.BIND);
        for (Mount m : spec.mounts()) {
            root.mount(new BindMount(m.source(), m.target(), m.readOnly()));
        }
        LaunchRequest.Builder request = LaunchRequest.builder(spec.process().argv())
                .env(spec.process().env())
                .cwd(spec.process().cwd())
                .credentials(credentials)
                .root(root.build())
                .namespaces(namespaces)
                .hostname(spec.hostname() != null ? spec.hostname() : context.sandboxId())
                .idMaps(ids.uids(), ids.gids(), ids.denySetgroups())
                .capabilities(LinuxCapability.OCI_DEFAULT)
                .noNewPrivileges(true)
                .newSession(true)
                .loopbackUp(ownNet);
        if (cgroup != null) {
            cgroup.dirs().forEach(request::cgroup);
        }
        long oomKillsBefore = oomKills();
        main = driver.launcher().launch(request.build(), io);
        return new SandboxProcessHandle(main, cgroup, oomKillsBefore);
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
     * Kills what runs (the cgroup holds every process, wherever it forked) and removes the cgroup. The
     * mounts and the network namespace go with the last process; the host then deletes the sandbox
     * directory with the overlay's upper layer.
     */
    @Override
    public void destroy() {
        if (cgroup != null) {
            cgroup.remove();
        } else if (main != null) {
            main.kill(9);
            awaitQuietly(main);
        }
        discardLayers();
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
