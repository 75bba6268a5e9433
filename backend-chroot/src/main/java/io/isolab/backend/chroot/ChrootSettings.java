package io.isolab.backend.chroot;

/**
 * Settings of the {@code chroot} backend: section {@code backends.chroot} of the config.
 *
 * <pre>
 * backends:
 *   chroot: {open-files: 1024, core-dumps: false}
 * </pre>
 *
 * @param openFiles {@code RLIMIT_NOFILE} of the workload (soft and hard). The JVM raises its own soft limit
 *                  to the hard one; a workload starts from the conventional 1024, as under runc's default spec
 * @param coreDumps allow core files ({@code RLIMIT_CORE}); off by default, because a chroot has no
 *                  copy-on-write: a core file would land in the shared rootfs
 */
public record ChrootSettings(Integer openFiles, Boolean coreDumps) {

    public ChrootSettings {
        openFiles = openFiles == null ? 1024 : openFiles;
        coreDumps = coreDumps != null && coreDumps;
        if (openFiles < 3) {
            throw new IllegalArgumentException("open-files must be at least 3 (got " + openFiles + ")");
        }
    }
}
