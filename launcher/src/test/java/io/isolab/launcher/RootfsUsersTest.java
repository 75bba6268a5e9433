package io.isolab.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RootfsUsersTest {
    private Path rootfs;

    @BeforeEach
    void rootfs() throws IOException {
        rootfs = Files.createTempDirectory("isolab-users-");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "# a comment\nalice:x:1000:1000::/home/alice:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nalice:x:1000:\nwheel:x:10:bob,alice\naudio:x:29:alice\n");
    }

    @AfterEach
    void remove() throws IOException {
        try (Stream<Path> paths = Files.walk(rootfs)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void resolvesNamesWithTheirGroups() {
        assertEquals(new Credentials(1000, 1000, List.of(1000, 10, 29)), RootfsUsers.resolve(rootfs, "alice"));
        assertEquals(new Credentials(65534, 65534, List.of(65534)), RootfsUsers.resolve(rootfs, "nobody"));
        assertEquals(new Credentials(0, 0, List.of(0)), RootfsUsers.resolve(rootfs, "root"));
    }

    @Test
    void resolvesNumericIds() {
        assertEquals(new Credentials(1000, 1000, List.of(1000, 10, 29)), RootfsUsers.resolve(rootfs, "1000"));
        assertEquals(new Credentials(1000, 5, List.of(5, 10, 29)), RootfsUsers.resolve(rootfs, "1000:5"));
        assertEquals(new Credentials(4321, 4321, List.of(4321)), RootfsUsers.resolve(rootfs, "4321"));
    }

    @Test
    void refusesUnknownNamesByField() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> RootfsUsers.resolve(rootfs, "mallory"));
        assertEquals("process.user", e.field());
        assertTrue(e.getMessage().contains("mallory"), e.getMessage());
    }

    @Test
    void followsLinksInsideTheRootfsNeverIntoTheHost() throws IOException {
        // an absolute link means the rootfs's root: /etc/passwd -> /data/passwd reads <rootfs>/data/passwd
        Files.createDirectories(rootfs.resolve("data"));
        Files.move(rootfs.resolve("etc/passwd"), rootfs.resolve("data/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/data/passwd"));
        assertEquals(1000, RootfsUsers.resolve(rootfs, "alice").uid());
        // ".." stops at the rootfs's root, as it does for the chrooted process: never the host's /data
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("../../../../../../data/passwd"));
        assertEquals(rootfs.resolve("data/passwd"), RootfsUsers.inRoot(rootfs, "/etc/passwd"));
        assertEquals(1000, RootfsUsers.resolve(rootfs, "alice").uid());
    }

    @Test
    void refusesALinkLoop() throws IOException {
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/etc/passwd"));
        assertEquals("process.user", assertThrows(InvalidSpecException.class,
                () -> RootfsUsers.resolve(rootfs, "alice")).field());
    }
}
