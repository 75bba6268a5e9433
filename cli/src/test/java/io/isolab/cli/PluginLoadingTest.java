package io.isolab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.BackendStatus;
import io.isolab.api.host.Backends;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The four backends load as PF4J plugins from the built plugins/ directory, and from the source tree in development mode. */
class PluginLoadingTest {
    private static final List<String> ALL = List.of("chroot", "hypervisor", "jail", "linux-ns");

    private static IsolabConfig config(Path pluginsDir) {
        IsolabConfig standard = IsolabConfig.standard();
        return standard.withDirs(standard.stateDir(), standard.cacheDir(), pluginsDir);
    }

    @Test
    void deploymentLayoutLoadsEveryBackendInItsOwnClassLoader() {
        Path plugins = Path.of(System.getProperty("isolab.plugins.dir"));
        try (Backends backends = Backends.load(config(plugins))) {
            List<BackendStatus> statuses = backends.list();
            assertEquals(ALL, statuses.stream().map(BackendStatus::id).toList());
            for (BackendStatus status : statuses) {
                assertTrue(status.origin().startsWith("plugin isolab-backend-"), status.origin());
                assertTrue(status.availability().available() || !status.availability().reason().isBlank(),
                        () -> status.id() + " is unavailable without a reason");
            }
        }
    }

    @Test
    void developmentModeLoadsFromTheSourceTree() {
        Path sourceRoot = Path.of(System.getProperty("isolab.source.root")).toAbsolutePath().normalize();
        String before = System.getProperty("pf4j.mode");
        System.setProperty("pf4j.mode", "development");
        try (Backends backends = Backends.load(config(sourceRoot))) {
            List<BackendStatus> statuses = backends.list();
            assertEquals(ALL, statuses.stream().map(BackendStatus::id).toList());
            assertTrue(statuses.stream().allMatch(s -> s.origin().startsWith("plugin isolab-backend-")));
        } finally {
            if (before == null) {
                System.clearProperty("pf4j.mode");
            } else {
                System.setProperty("pf4j.mode", before);
            }
        }
    }

    @Test
    void backendClassesAreNotOnTheCliClasspath() {
        try (Backends backends = Backends.load(config(Path.of(System.getProperty("isolab.plugins.dir"))))) {
            backends.list();
        }
        assertNotEquals(null, System.getProperty("isolab.plugins.dir"));
        assertEquals(null, getClass().getClassLoader().getResource("io/isolab/backend/chroot/ChrootProvider.class"),
                "backends must come from plugins/, never from the CLI's own classpath");
    }
}
