package io.isolab.backend.chroot;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.IsolabException;
import io.isolab.api.SandboxSpec;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import io.isolab.launcher.Credentials;
import io.isolab.launcher.RootfsUsers;
import io.isolab.launcher.Launcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The opened chroot backend: one {@link Launcher} (one I/O thread) for all its sandboxes. The only host
 * resources a chroot sandbox has are its processes; they are found by the session they run in.
 */
final class ChrootDriver implements BackendDriver {
    static final String ID = "chroot";
    private static final int SIGKILL = 9;
    private static final long KILL_WAIT_NANOS = 5_000_000_000L;

    private final BackendContext<ChrootSettings> context;
    private final Launcher launcher;
    private final Path sandboxes;
    private final String bootId = SessionRecord.currentBootId();

    ChrootDriver(BackendContext<ChrootSettings> context) {
        this.context = context;
        this.launcher = Launcher.open(context.cacheDir());
        this.sandboxes = context.stateDir().resolve("sandboxes");
    }

    @Override
    public void validate(SandboxSpec spec) {
        credentials(spec);
    }

    /** Who the workload runs as, resolved from the rootfs: {@code null} for the caller (root). */
    private static Credentials credentials(SandboxSpec spec) {
        Path rootfs = spec.rootfs();
        if (!Files.isDirectory(rootfs)) {
            throw new InvalidSpecException("rootfs", "no such directory: " + rootfs);
        }
        Credentials credentials = spec.process().user() == null ? null : RootfsUsers.resolve(rootfs, spec.process().user());
        if (spec.limits().maxPids() != null && (credentials == null ? callerUid() == 0 : credentials.uid() == 0)) {
            throw new InvalidSpecException("limits.pids", "the chroot backend limits processes with RLIMIT_NPROC,"
                    + " which the kernel does not enforce for root: set a non-root process.user (e.g. nobody)");
        }
        return credentials;
    }

    @Override
    public SandboxHandle create(SandboxSpec spec, SandboxContext sandbox) {
        return new ChrootSandbox(this, spec, sandbox, credentials(spec));
    }

    @Override
    public List<HostResource> inventory() {
        List<HostResource> found = new ArrayList<>();
        if (!Files.isDirectory(sandboxes)) {
            return found;
        }
        try (Stream<Path> dirs = Files.list(sandboxes)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("isolab-" + ID + "-")).toList()) {
                Optional<SessionRecord> session = SessionRecord.read(dir);
                if (session.isPresent() && session.get().bootId().equals(bootId)) {
                    for (int pid : launcher.sessionMembers(session.get().sid(), session.get().startTime())) {
                        found.add(new HostResource("process", String.valueOf(pid), dir.getFileName().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + sandboxes, e);
        }
        return found;
    }

    @Override
    public void reclaim(HostResource resource) {
        if (!resource.kind().equals("process")) {
            return;
        }
        SessionRecord.read(sandboxes.resolve(resource.sandboxId()))
                .filter(s -> s.bootId().equals(bootId))
                .ifPresent(this::killSession);
    }

    @Override
    public Map<String, String> facts() {
        return Map.of("root", "chroot(2)", "resource-control", "POSIX rlimits");
    }

    @Override
    public void close() {
        launcher.close();
    }

    Launcher launcher() {
        return launcher;
    }

    String bootId() {
        return bootId;
    }

    ChrootSettings settings() {
        return context.settings();
    }

    /** SIGKILLs every process of the session and waits until none is left (zombies are gone already). */
    void killSession(SessionRecord session) {
        long deadline = System.nanoTime() + KILL_WAIT_NANOS;
        int[] left = launcher.signalSession(session.sid(), session.startTime(), SIGKILL);
        while (left.length > 0) {
            if (System.nanoTime() > deadline) {
                throw new IsolabException("processes " + java.util.Arrays.toString(left) + " of session "
                        + session.sid() + " survived SIGKILL for 5 s (uninterruptible sleep?)");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IsolabException("interrupted while killing session " + session.sid());
            }
            left = launcher.signalSession(session.sid(), session.startTime(), SIGKILL);
        }
    }

    private static int callerUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
