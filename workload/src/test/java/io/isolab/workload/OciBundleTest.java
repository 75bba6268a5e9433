package io.isolab.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciBundleTest {
    @TempDir
    Path bundle;

    private OciBundle detect(String config) throws IOException {
        Files.writeString(bundle.resolve("config.json"), config);
        return OciBundle.detect(bundle).orElseThrow();
    }

    @Test
    void aDirectoryWithoutConfigIsNoBundle() {
        assertEquals(Optional.empty(), OciBundle.detect(bundle));
    }

    @Test
    void readsRootAndProcess() throws IOException {
        OciBundle b = detect("""
                {"ociVersion": "1.0.2",
                 "root": {"path": "rootfs", "readonly": true},
                 "process": {"args": ["/bin/sh", "-c", "echo hi"], "env": ["PATH=/bin", "A=x=y", "EMPTY="],
                             "cwd": "/tmp", "terminal": false},
                 "linux": {"namespaces": [{"type": "pid"}]}}
                """);
        assertEquals(bundle.resolve("rootfs").toAbsolutePath(), b.rootfs());
        assertEquals(List.of("/bin/sh", "-c", "echo hi"), b.args());
        assertEquals(List.of("PATH", "A", "EMPTY"), List.copyOf(b.env().keySet()), "in order");
        assertEquals(Map.of("PATH", "/bin", "A", "x=y", "EMPTY", ""), b.env());
        assertEquals("/tmp", b.cwd());
    }

    @Test
    void rootPathMayBeRelativeOrAbsolute() throws IOException {
        assertEquals(bundle.resolve("images/alpine").toAbsolutePath(), detect("{\"root\":{\"path\":\"./images/../images/alpine\"}}").rootfs());
        assertEquals(Path.of("/srv/rootfs"), detect("{\"root\":{\"path\":\"/srv/rootfs\"}}").rootfs());
    }

    @Test
    void absentFieldsTakeDefaults() throws IOException {
        OciBundle b = detect("{}");
        assertEquals(bundle.resolve("rootfs").toAbsolutePath(), b.rootfs());
        assertEquals(List.of(), b.args());
        assertEquals(Map.of(), b.env());
        assertEquals("/", b.cwd());
    }

    @Test
    void malformedConfigNamesTheField() {
        Map<String, String> cases = Map.of(
                "{\"root\": {\"path\": ", "not valid JSON",
                "[1, 2]", "must be a JSON object",
                "{\"root\": \"rootfs\"}", "root: must be an object",
                "{\"root\": {\"path\": 42}}", "root.path: must be a string (found 42)",
                "{\"root\": {}}", "root.path: must be a string (found nothing)",
                "{\"root\": {\"path\": \"\"}}", "root.path: must not be empty",
                "{\"process\": {\"args\": \"/bin/sh\"}}", "process.args: must be an array of strings",
                "{\"process\": {\"args\": [\"/bin/sh\", 7]}}", "process.args[1]: must be a string",
                "{\"process\": {\"env\": [\"PATH=/bin\", \"NOVALUE\"]}}", "process.env[1]: must be NAME=VALUE (found \"NOVALUE\")",
                "{\"process\": {\"cwd\": \"tmp\"}}", "process.cwd: must be an absolute path");
        cases.forEach((config, expected) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> detect(config), config);
            assertTrue(e.getMessage().contains(expected), () -> config + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith(bundle.resolve("config.json").toString()), e.getMessage());
        });
    }
}
