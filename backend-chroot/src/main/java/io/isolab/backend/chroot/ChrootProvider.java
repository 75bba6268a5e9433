package io.isolab.backend.chroot;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.Capability;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import io.isolab.launcher.LauncherUnavailableException;
import io.isolab.launcher.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.pf4j.Extension;

/**
 * The {@code chroot} backend: {@code chroot(2)} and POSIX rlimits, the 1979 branch of the history of
 * isolation. It gives a root directory and nothing else: not a security boundary (see the module README).
 */
@Extension
public final class ChrootProvider implements BackendProvider<ChrootSettings> {
    private static final int CAP_SYS_CHROOT = 18;
    private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor("chroot", "chroot(2): Version 7 Unix, 1979",
            Map.of(Capability.FILESYSTEM_ROOT, "chroot(2) + chdir(\"/\"); not a security boundary: root climbs out",
                    Capability.HOST_NETWORK, "no network namespace: the host's network, always",
                    Capability.RUN_AS_USER, "setgroups/setgid/setuid; names from the rootfs's /etc/passwd and /etc/group",
                    Capability.MEMORY_LIMIT, "RLIMIT_AS, per process",
                    Capability.PIDS_LIMIT, "RLIMIT_NPROC, per user: not enforced for root"));

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<ChrootSettings> settingsType() {
        return ChrootSettings.class;
    }

    @Override
    public Availability probe(BackendContext<ChrootSettings> context) {
        try {
            if (!hasCapability(CAP_SYS_CHROOT)) {
                return Availability.unavailable("chroot(2) needs CAP_SYS_CHROOT and this process lacks it",
                        "run isolab as root");
            }
            NativeLibrary.load(context.cacheDir());
            return Availability.available(Map.of("launcher", "clone3 + chroot + execve, no intermediate process",
                    "native-library", String.valueOf(NativeLibrary.path())));
        } catch (LauncherUnavailableException e) {
            return Availability.unavailable(e.getMessage(), "build isolab with gcc on linux-x86_64");
        } catch (RuntimeException | IOException e) {
            return Availability.unavailable("cannot check: " + e.getMessage());
        }
    }

    @Override
    public BackendDriver open(BackendContext<ChrootSettings> context) {
        Availability availability = probe(context);
        if (!availability.available()) {
            throw new BackendUnavailableException(DESCRIPTOR.id(), availability);
        }
        return new ChrootDriver(context);
    }

    /** From the effective set in /proc/self/status: what the kernel will check, whatever the uid. */
    private static boolean hasCapability(int cap) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << cap)) != 0;
            }
        }
        return false;
    }
}
