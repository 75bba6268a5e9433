package io.isolab.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The root directory the workload sees: unchanged, {@link Chroot} (chroot(2), the 1979 way), or
 * {@link Pivot} (a new mount namespace with a root assembled and {@code pivot_root}ed into, the way runc
 * and crun do it).
 */
public sealed interface RootSetup permits RootSetup.Inherit, RootSetup.Chroot, RootSetup.Pivot {

    /** The caller's root, or the root of the mount namespace joined with {@link JoinTarget}. */
    static RootSetup inherit() {
        return Inherit.INSTANCE;
    }

    /** {@code chroot(dir)} then {@code chdir("/")}: not a security boundary. */
    static RootSetup chroot(Path dir) {
        return new Chroot(dir);
    }

    /** A pivot_root setup; see {@link Pivot.Builder}. */
    static Pivot.Builder pivot(Path rootfs, Path mountPoint) {
        return new Pivot.Builder(rootfs, mountPoint);
    }

    /** No change of root. */
    final class Inherit implements RootSetup {
        static final Inherit INSTANCE = new Inherit();

        private Inherit() {
        }
    }

    /** @param dir the new root, an existing directory */
    record Chroot(Path dir) implements RootSetup {
        public Chroot {
            Objects.requireNonNull(dir, "dir");
            if (!dir.isAbsolute()) {
                throw new IllegalArgumentException("chroot dir must be absolute: " + dir);
            }
        }
    }

    /**
     * A root assembled in the child's own mount namespace (needs {@link Namespace#MOUNT}): mount
     * propagation made private; the rootfs mounted at {@code mountPoint}, either as an overlay (rootfs as
     * the lower layer, never modified; writes go to {@code overlay}'s upper directory) or as a recursive
     * bind mount; bind mounts attached; {@code pivot_root} into it with the old root detached; then
     * {@code /proc}, {@code /sys}, a minimal {@code /dev}, masked and read-only paths, and the root
     * remounted read-only if asked.
     *
     * @param rootfs        the root filesystem tree
     * @param mountPoint    where the new root is mounted before the pivot: a directory the caller owns
     *                      (the sandbox's directory), or {@code rootfs} itself for a bind mount
     * @param overlay       upper and work directories for a copy-on-write root, or {@code null} for a bind
     * @param readOnly      the root mounted read-only (the mounts on top of it keep their own mode)
     * @param mounts        bind mounts, attached after the pivot; missing mount points are created in the
     *                      new root (in the overlay's upper directory, or in the rootfs for a bind root)
     * @param proc          mount a {@code /proc} (of the new pid namespace, when there is one)
     * @param sysfs         mount {@code /sys} read-only (needs a new network namespace in a user namespace)
     * @param dev           how to make {@code /dev}
     * @param maskedPaths   hidden: a directory gets an empty read-only tmpfs, a file {@code /dev/null};
     *                      absent paths are skipped
     * @param readOnlyPaths made read-only, recursively; absent paths are skipped
     */
    record Pivot(Path rootfs, Path mountPoint, Overlay overlay, boolean readOnly, List<BindMount> mounts,
                 boolean proc, boolean sysfs, DevMode dev, List<String> maskedPaths, List<String> readOnlyPaths)
            implements RootSetup {

        /** The paths runc, crun and Docker mask by default. */
        public static final List<String> OCI_MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
                "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

        /** The paths runc, crun and Docker make read-only by default. */
        public static final List<String> OCI_READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq",
                "/proc/sys", "/proc/sysrq-trigger");

        public Pivot {
            Objects.requireNonNull(rootfs, "rootfs");
            Objects.requireNonNull(mountPoint, "mountPoint");
            Objects.requireNonNull(dev, "dev");
            if (!rootfs.isAbsolute() || !mountPoint.isAbsolute()) {
                throw new IllegalArgumentException("rootfs and mount point must be absolute");
            }
            if (overlay != null) {
                // overlayfs splits its options at ',' and its lower dirs at ':'
                for (Path p : List.of(rootfs, overlay.upper(), overlay.work())) {
                    if (p.toString().matches(".*[,:\\\\].*")) {
                        throw new IllegalArgumentException("overlay paths must not contain ',', ':' or '\\': " + p);
                    }
                }
                if (mountPoint.equals(rootfs)) {
                    throw new IllegalArgumentException("an overlay root needs a mount point other than the rootfs");
                }
            }
            mounts = List.copyOf(mounts);
            maskedPaths = List.copyOf(maskedPaths);
            readOnlyPaths = List.copyOf(readOnlyPaths);
        }

        /** Copy-on-write root: the overlay's upper and work directories (same file system, both empty). */
        public record Overlay(Path upper, Path work) {
            public Overlay {
                Objects.requireNonNull(upper, "upper");
                Objects.requireNonNull(work, "work");
            }
        }

        /** How {@code /dev} is made: a tmpfs with null, zero, full, random, urandom, tty, pts and shm. */
        public enum DevMode {
            /** Leave the rootfs's {@code /dev} as it is. */
            NONE,
            /** {@code mknod} the device nodes: needs CAP_MKNOD in the initial user namespace. */
            MKNOD,
            /** Bind-mount the host's device nodes: works in a user namespace. */
            BIND
        }

        /** Defaults: bind root, writable, no mounts, /proc, mknod /dev, the OCI masked and read-only paths. */
        public static final class Builder {
            private final Path rootfs;
            private final Path mountPoint;
            private Overlay overlay;
            private boolean readOnly;
            private final List<BindMount> mounts = new ArrayList<>();
            private boolean proc = true;
            private boolean sysfs;
            private DevMode dev = DevMode.MKNOD;
            private List<String> maskedPaths = OCI_MASKED_PATHS;
            private List<String> readOnlyPaths = OCI_READONLY_PATHS;

            Builder(Path rootfs, Path mountPoint) {
                this.rootfs = rootfs;
                this.mountPoint = mountPoint;
            }

            public Builder overlay(Path upper, Path work) {
                this.overlay = new Overlay(upper, work);
                return this;
            }

            public Builder readOnly(boolean value) {
                this.readOnly = value;
                return this;
            }

            public Builder mount(BindMount mount) {
                this.mounts.add(mount);
                return this;
            }

            public Builder proc(boolean value) {
                this.proc = value;
                return this;
            }

            public Builder sysfs(boolean value) {
                this.sysfs = value;
                return this;
            }

            public Builder dev(DevMode mode) {
                this.dev = mode;
                return this;
            }

            public Builder maskedPaths(List<String> paths) {
                this.maskedPaths = paths;
                return this;
            }

            public Builder readOnlyPaths(List<String> paths) {
                this.readOnlyPaths = paths;
                return this;
            }

            public Pivot build() {
                return new Pivot(rootfs, mountPoint, overlay, readOnly, mounts, proc, sysfs, dev, maskedPaths,
                        readOnlyPaths);
            }
        }
    }
}
