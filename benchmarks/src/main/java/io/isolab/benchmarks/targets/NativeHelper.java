package io.isolab.benchmarks.targets;

import io.isolab.workload.PackagedExecutable;
import java.nio.file.Path;

/**
 * {@code isolab-bench-launch}, this module's static C helper (the floor launcher and crun's cgroup2 hider),
 * extracted from the jar under the cache directory, content-addressed as the probe is.
 */
public final class NativeHelper {
    private static final String RESOURCE = "/META-INF/native/linux-x86_64/isolab-bench-launch";

    private NativeHelper() {
    }

    public static Path binary(Path cacheDir) {
        byte[] bytes = PackagedExecutable.read(NativeHelper.class, RESOURCE, "was the benchmarks module built with gcc?");
        return PackagedExecutable.extract(cacheDir.resolve("bench"), "isolab-bench-launch", bytes,
                PackagedExecutable.sha256(bytes));
    }
}
