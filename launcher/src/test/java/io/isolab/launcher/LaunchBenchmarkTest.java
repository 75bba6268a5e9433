package io.isolab.launcher;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link LaunchBenchmark} when asked with {@code -Disolab.bench=true} (it takes a minute and measures,
 * it does not assert: targets are checked by the benchmarks module against baselines of the same run).
 */
class LaunchBenchmarkTest {

    @Test
    void measuresTheLaunchDesigns() throws Exception {
        assumeTrue(Boolean.getBoolean("isolab.bench"), "a measurement, not a test: run with -Disolab.bench=true");
        assumeTrue("root".equals(System.getProperty("user.name")), "chroot needs root");
        String table = LaunchBenchmark.run(Integer.getInteger("isolab.bench.warmup", 300),
                Integer.getInteger("isolab.bench.runs", 200));
        System.out.print(table);
        Files.writeString(Path.of("target", "launch-benchmark.txt"), table);
    }
}
