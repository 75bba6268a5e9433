package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.Availability;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.BackendStatus;
import io.isolab.api.host.Backends;
import io.isolab.api.spi.BackendContext;
import io.isolab.backend.jail.transport.LocalSshd;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every reason the backend gives for being unavailable, found the real way: over SSH to a real sshd on this
 * (Linux) machine, which must be refused for not being FreeBSD.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JailAvailabilityTest {
    private final JailProvider provider = new JailProvider();
    private LocalSshd sshd;

    @BeforeAll
    void startSshd() throws Exception {
        sshd = LocalSshd.start();
    }

    @AfterAll
    void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void saysSoWhenNoHostIsConfigured() {
        if (JailSettings.isFreeBsd()) {
            return; // there, no host means this machine
        }
        Availability a = provider.probe(context(new JailSettings(null, null, null, null, null, null, null, null, null, null)));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("no FreeBSD host configured"), a.reason());
        assertTrue(a.remedy().contains("backends.jail.host"), a.remedy());
    }

    @Test
    void listsTheBackendAsUnavailableWithItsReason() {
        try (Backends backends = Backends.of(IsolabConfig.standard(), List.of(provider))) {
            BackendStatus status = backends.list().get(0);
            assertEquals("jail", status.id());
            if (!JailSettings.isFreeBsd()) {
                assertFalse(status.availability().available());
                assertTrue(status.availability().reason().contains("no FreeBSD host configured"));
            }
        }
    }

    @Test
    void refusesAHostThatIsNotFreeBsd() {
        Availability a = provider.probe(context(settings(sshd.knownHosts, sshd.port)));
        assertFalse(a.available());
        assertEquals("ssh " + System.getProperty("user.name") + "@127.0.0.1:" + sshd.port + " runs Linux, not FreeBSD",
                a.reason());
    }

    @Test
    void refusesAHostWhoseKeyIsUnknown() throws Exception {
        Path empty = Files.createTempFile(sshd.dir, "known_hosts", "");
        Availability a = provider.probe(context(settings(empty, sshd.port)));
        assertFalse(a.available());
        assertTrue(a.reason().contains("is not in " + empty), a.reason());
        assertTrue(a.remedy().contains("fingerprint"), a.remedy());
    }

    @Test
    void saysSoWhenTheHostIsUnreachable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        JailSettings settings = settings(sshd.knownHosts, closed);
        Availability a = provider.probe(context(settings));
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("cannot connect to "), a.reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> provider.open(context(settings)));
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }

    private JailSettings settings(Path knownHosts, int port) {
        return new JailSettings("127.0.0.1", System.getProperty("user.name"), port, sshd.userKey.toString(), null,
                knownHosts.toString(), "5s", null, null, null);
    }

    private static BackendContext<JailSettings> context(JailSettings settings) {
        return new BackendContext<>(settings, Path.of("/tmp/isolab-jail-unused-state"), Path.of("/tmp/isolab-jail-unused-cache"));
    }
}
