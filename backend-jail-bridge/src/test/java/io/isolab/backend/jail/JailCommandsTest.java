package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.Limits;
import io.isolab.api.NetworkMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Golden tests: the exact argv the bridge sends for each lifecycle step and option. */
class JailCommandsTest {
    static final HostFacts HOST = new HostFacts("FreeBSD", "14.3-RELEASE", 0, false, 0, 0, true, true, true, true, false);
    private static final HostFacts IPV4_ONLY =
            new HostFacts("FreeBSD", "14.3-RELEASE", 0, false, 0, 0, true, true, true, false, false);
    private static final String N = "isolab-jail-0a1b2c3d4e";

    @Test
    void createsAPersistentJailOnTheHostNetwork() {
        assertEquals(List.of("jail", "-q", "-c", "name=" + N, "path=/usr/local/isolab/rootfs", "host.hostname=" + N,
                "persist", "enforce_statfs=2", "ip4=inherit", "ip6=inherit"),
                JailCommands.create(N, "/usr/local/isolab/rootfs", N, null, HOST, List.of()));
        assertEquals(List.of("jail", "-q", "-c", "name=" + N, "path=/r", "host.hostname=h", "persist",
                "enforce_statfs=2", "ip4=inherit", "ip6=inherit"),
                JailCommands.create(N, "/r", "h", NetworkMode.HOST, HOST, List.of()));
        assertEquals(List.of("jail", "-q", "-c", "name=" + N, "path=/r", "host.hostname=h", "persist",
                "enforce_statfs=2", "ip4=inherit"),
                JailCommands.create(N, "/r", "h", NetworkMode.HOST, IPV4_ONLY, List.of()), "no ip6 without INET6");
    }

    @Test
    void createsAVnetJailForNetworkNoneAndBringsItsLoopbackUp() {
        assertEquals(List.of("jail", "-q", "-c", "name=" + N, "path=/r", "host.hostname=isolab-contract", "persist",
                "enforce_statfs=2", "vnet=new"),
                JailCommands.create(N, "/r", "isolab-contract", NetworkMode.NONE, HOST, List.of()));
        assertEquals(List.of("jexec", N, "/sbin/ifconfig", "lo0", "inet", "127.0.0.1/8", "up"), JailCommands.loopbackUp(N));
    }

    @Test
    void appendsTheSettingsParameters() {
        JailSettings settings = new JailSettings("root@bsd", null, null, null, null, null, null, null, null,
                new LinkedHashMap<>(Map.of("allow.raw_sockets", "true", "devfs_ruleset", "4")));
        assertEquals(List.of("jail", "-q", "-c", "name=" + N, "path=/r", "host.hostname=h", "persist",
                "enforce_statfs=2", "vnet=new", "allow.raw_sockets=true", "devfs_ruleset=4"),
                JailCommands.create(N, "/r", "h", NetworkMode.NONE, HOST, settings.parameterArguments()));
    }

    @Test
    void checksEveryParameterItSendsAgainstTheTable() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> JailCommands.create(N, "/r", "a\0b", null, HOST, List.of()));
        assertEquals("host.hostname", e.field());
    }

    @Test
    void limitsWithRctlRules() {
        assertEquals(List.of(
                List.of("rctl", "-a", "jail:" + N + ":memoryuse:deny=67108864"),
                List.of("rctl", "-a", "jail:" + N + ":vmemoryuse:deny=67108864"),
                List.of("rctl", "-a", "jail:" + N + ":pcpu:deny=25"),
                List.of("rctl", "-a", "jail:" + N + ":maxproc:deny=32")),
                JailCommands.limits(N, new Limits(64L << 20, 0.25, 32, Duration.ofSeconds(5))));
        assertEquals(List.of(List.of("rctl", "-a", "jail:" + N + ":pcpu:deny=150")),
                JailCommands.limits(N, Limits.NONE.withCpus(1.5)));
        assertEquals(List.of(List.of("rctl", "-a", "jail:" + N + ":pcpu:deny=1")),
                JailCommands.limits(N, Limits.NONE.withCpus(0.001)), "at least 1 percent");
        assertEquals(List.of(), JailCommands.limits(N, Limits.NONE.withTimeout(Duration.ofSeconds(1))));
    }

    @Test
    void runsProcessesWithJexecInTheirDirectoryWithExactlyTheirEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("A", "one two");
        assertEquals(List.of("jexec", N, "/bin/sh", "-c", JailCommands.RUN, "isolab-run", "/tmp",
                "PATH=/usr/bin:/bin", "A=one two", "/usr/bin/isolab-probe", "print", "x y"),
                JailCommands.exec(N, null, "/tmp", env, List.of("/usr/bin/isolab-probe", "print", "x y")));
        assertEquals(List.of("jexec", "-U", "nobody", N, "/bin/sh", "-c", JailCommands.RUN, "isolab-run", "/",
                "/usr/bin/isolab-probe", "inspect"),
                JailCommands.exec(N, "nobody", "/", Map.of(), List.of("/usr/bin/isolab-probe", "inspect")));
        assertEquals("cd \"$1\" || exit 125; shift; exec /usr/bin/env -i \"$@\"", JailCommands.RUN);
        assertEquals(List.of("jexec", "-U", "nobody", N, "/bin/sh", "-c", JailCommands.CHECK, "isolab-check", "/tmp",
                "/usr/bin:/bin", "isolab-probe"),
                JailCommands.check(N, "nobody", "/tmp", "/usr/bin:/bin", "isolab-probe"));
    }

    @Test
    void removesListsAndMeasures() {
        assertEquals(List.of("jail", "-q", "-r", N), JailCommands.remove(N));
        assertEquals(List.of("rctl", "-r", "jail:" + N), JailCommands.rctlRemoveAll(N));
        assertEquals(List.of("rctl", "-r", "jail:" + N + ":maxproc:deny=32"),
                JailCommands.rctlRemove("jail:" + N + ":maxproc:deny=32"));
        assertEquals(List.of("rctl"), JailCommands.rctlRules());
        assertEquals(List.of("rctl", "-u", "jail:" + N), JailCommands.usage(N));
        assertEquals(List.of("ps", "-J", N, "-o", "time="), JailCommands.cpuTimes(N));
        assertEquals(List.of("jls", "--libxo=json", "name", "jid", "path"), JailCommands.list());
        assertEquals(List.of("test", "-d", "/r"), JailCommands.isDirectory("/r"));
        assertEquals(List.of("cat", "/r/etc/passwd"), JailCommands.read("/r/etc/passwd"));
        assertEquals(List.of("/bin/sh", "-c", JailCommands.FACTS), JailCommands.hostFacts());
    }
}
