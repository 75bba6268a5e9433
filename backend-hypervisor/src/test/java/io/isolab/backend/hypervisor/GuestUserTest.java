package io.isolab.backend.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isolab.api.InvalidSpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestUserTest {
    @TempDir
    Path rootfs;

    @BeforeEach
    void files() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\nalice:x:1000:100::/home/alice:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nusers:x:100:\nwheel:x:10:alice,bob\nnogroup:x:65534:\n");
    }

    @Test
    void resolvesNamesFromTheRootfsNotTheHost() {
        assertEquals(new GuestUser(65534, 65534, List.of(65534)), GuestUser.resolve(rootfs, "nobody"));
        assertEquals(new GuestUser(1000, 100, List.of(100, 10)), GuestUser.resolve(rootfs, "alice"));
    }

    @Test
    void acceptsNumericIds() {
        assertEquals(new GuestUser(1000, 100, List.of(100, 10)), GuestUser.resolve(rootfs, "1000"));
        assertEquals(new GuestUser(4242, 4242, List.of(4242)), GuestUser.resolve(rootfs, "4242"));
        assertEquals(new GuestUser(4242, 7, List.of(7)), GuestUser.resolve(rootfs, "4242:7"));
    }

    @Test
    void namesTheFieldOfAnUnknownUser() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> GuestUser.resolve(rootfs, "mallory"));
        assertEquals("process.user", e.field());
    }
}
