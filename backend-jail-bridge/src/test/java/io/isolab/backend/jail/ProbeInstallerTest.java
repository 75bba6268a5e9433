package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.IsolabException;
import io.isolab.backend.jail.transport.CommandResult;
import io.isolab.backend.jail.transport.LocalSshd;
import io.isolab.backend.jail.transport.LocalTransport;
import io.isolab.backend.jail.transport.SshTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Installs the probe over SSH into a root filesystem on the "host", which is this Linux machine reached through a
 * real sshd: the copy, the build with the host's cc and the marker are the real steps; that the compiler is gcc
 * and not FreeBSD's clang is the one thing this cannot show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProbeInstallerTest {
    private static final HostFacts LINUX_ABI = new HostFacts("FreeBSD", "14.3-RELEASE", 0, false, 0, 0, true, true,
            true, true, true);
    private LocalSshd sshd;
    private SshTransport ssh;
    private Path rootfs;

    @BeforeAll
    void start() throws Exception {
        sshd = LocalSshd.start();
        ssh = SshTransport.connect(sshd.target());
        rootfs = Files.createTempDirectory("isolab-rootfs-");
        Files.createDirectories(rootfs.resolve("usr/bin"));
    }

    @AfterAll
    void stop() throws Exception {
        if (ssh != null) {
            ssh.close();
        }
        if (sshd != null) {
            sshd.close();
        }
        if (rootfs != null) {
            LocalSshd.deleteTree(rootfs);
        }
        try (var tmp = Files.list(Path.of("/tmp"))) {
            assertEquals(List.of(), tmp.filter(p -> p.getFileName().toString().startsWith("isolab-probe-build-")).toList(),
                    "build directories left in /tmp");
        }
    }

    @Test
    void buildsTheProbeFromSourceOnTheHostOnlyWhenItChanged() throws Exception {
        List<String> said = new ArrayList<>();
        new ProbeInstaller(ssh, rootfs.toString(), said::add).install(ProbeMode.SOURCE, LINUX_ABI);
        assertTrue(said.stream().anyMatch(s -> s.startsWith("building the probe")), said.toString());
        assertProbeRuns();
        assertEquals("usr/bin/isolab-probe", Files.readSymbolicLink(rootfs.resolve("isolab-probe")).toString());
        assertTrue(Files.readString(rootfs.resolve("usr/share/isolab/probe.sha256")).startsWith("source "));

        List<String> again = new ArrayList<>();
        new ProbeInstaller(ssh, rootfs.toString(), again::add).install(ProbeMode.SOURCE, LINUX_ABI);
        assertEquals(List.of("the probe in " + rootfs + " is up to date"), again);
    }

    @Test
    void copiesTheStaticLinuxProbeWhenTheHostRunsLinuxBinaries() throws Exception {
        new ProbeInstaller(ssh, rootfs.toString(), s -> { }).install(ProbeMode.LINUX, LINUX_ABI);
        assertTrue(Files.readString(rootfs.resolve("usr/share/isolab/probe.sha256")).startsWith("linux "));
        assertProbeRuns();
        HostFacts withoutLinux = new HostFacts("FreeBSD", "14.3-RELEASE", 0, false, 0, 0, true, true, true, true, false);
        IsolabException e = assertThrows(IsolabException.class,
                () -> new ProbeInstaller(ssh, rootfs.toString(), s -> { }).install(ProbeMode.LINUX, withoutLinux));
        assertTrue(e.getMessage().contains("kldload linux64"), e.getMessage());
    }

    @Test
    void saysWhatIsMissing() {
        IsolabException noRootfs = assertThrows(IsolabException.class,
                () -> new ProbeInstaller(ssh, "/no/such/isolab-rootfs", s -> { }).install(ProbeMode.SOURCE, LINUX_ABI));
        assertTrue(noRootfs.getMessage().contains("/no/such/isolab-rootfs is not a directory"), noRootfs.getMessage());
    }

    private void assertProbeRuns() {
        CommandResult r = new LocalTransport().run(List.of(rootfs.resolve("usr/bin/isolab-probe").toString(), "exit", "5"),
                Duration.ofSeconds(10));
        assertEquals(5, r.exit().code(), r::describe);
    }
}
