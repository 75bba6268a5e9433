package io.isolab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecTest {
    private static String badField(Runnable r) {
        return assertThrows(InvalidSpecException.class, r::run).field();
    }

    @Test
    void everyBadFieldIsNamed() {
        Path root = Path.of("/r");
        assertEquals("process.argv", badField(() -> ProcessSpec.of(List.of())));
        assertEquals("process.argv", badField(() -> ProcessSpec.of("")));
        assertEquals("process.argv", badField(() -> ProcessSpec.of("a\0b")));
        assertEquals("process.env", badField(() -> ProcessSpec.of("x").withEnv(Map.of("A=B", "c"))));
        assertEquals("process.cwd", badField(() -> ProcessSpec.of("x").withCwd("tmp")));
        assertEquals("process.user", badField(() -> ProcessSpec.of("x").withUser(" ")));
        assertEquals("limits.memory", badField(() -> new Limits(1L, null, null, null)));
        assertEquals("limits.cpus", badField(() -> new Limits(null, 0.0, null, null)));
        assertEquals("limits.cpus", badField(() -> new Limits(null, Double.NaN, null, null)));
        assertEquals("limits.pids", badField(() -> new Limits(null, null, 0, null)));
        assertEquals("limits.timeout", badField(() -> new Limits(null, null, null, Duration.ZERO)));
        assertEquals("rootfs", badField(() -> SandboxSpec.builder(null).command("x").build()));
        assertEquals("hostname", badField(() -> SandboxSpec.builder(root).command("x").hostname("-bad").build()));
        assertEquals("mounts.source", badField(() -> new Mount(Path.of("rel"), "/mnt", false)));
        assertEquals("mounts.target", badField(() -> new Mount(Path.of("/a"), "/mnt/../etc", false)));
        assertEquals("output-limit", badField(() -> SandboxSpec.builder(root).command("x").outputLimitBytes(-1).build()));
    }

    @Test
    void requiredCapabilitiesFollowTheFields() {
        SandboxSpec spec = SandboxSpec.builder(Path.of("/r")).command("x").memory(64L << 20).maxPids(5)
                .network(NetworkMode.HOST).user("nobody").require(Capability.PID_ISOLATION).build();
        assertEquals(Map.of(Capability.FILESYSTEM_ROOT, "rootfs", Capability.MEMORY_LIMIT, "limits.memory",
                        Capability.PIDS_LIMIT, "limits.pids", Capability.HOST_NETWORK, "network host",
                        Capability.RUN_AS_USER, "process.user", Capability.PID_ISOLATION, "requires"),
                spec.requiredCapabilities());
    }

    @Test
    void unitsParseAndRefuse() {
        assertEquals(64L << 20, Units.parseBytes("64m"));
        assertEquals(1L << 30, Units.parseBytes("1G"));
        assertEquals(512, Units.parseBytes("512"));
        assertEquals(Duration.ofMillis(1500), Units.parseDuration("1.5s"));
        assertEquals(Duration.ofMinutes(2), Units.parseDuration("2m"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("12q"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("99999999999t"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("10"));
        assertEquals(Capability.PID_ISOLATION, Capability.fromKey("pid-isolation"));
        assertThrows(IllegalArgumentException.class, () -> Capability.fromKey("PID_ISOLATION"));
    }

    @Test
    void exitStatusFollowsTheShellConvention() {
        assertEquals(7, ExitStatus.exited(7).shellStatus());
        assertEquals(137, ExitStatus.killed(9).shellStatus());
        assertEquals(-1, ExitStatus.killed(9).code());
    }
}
