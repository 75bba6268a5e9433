package io.isolab.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.isolab.api.Capability;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * isolab's configuration, as platform teams write it in one YAML file (see {@link ConfigLoader}):
 *
 * <pre>
 * backend: linux-ns              # exactly this backend, or:
 * prefer: [linux-ns, chroot]     # the first available of these
 * require: [pid-isolation, memory-limit]
 * defaults: {memory: 256m, cpus: 1, pids: 128, timeout: 30s, network: none}
 * state-dir: /var/lib/isolab
 * cache-dir: /var/cache/isolab
 * plugins-dir: /opt/isolab/plugins
 * backends:
 *   hypervisor: {uri: "qemu:///system"}
 *   jail: {host: root@bsd.example.org}
 * </pre>
 *
 * @param backend         the one backend to use, or {@code null}
 * @param prefer          backends to try in order, the first available one that has {@code require} wins
 * @param require         capabilities the chosen backend must have
 * @param defaults        applied to every sandbox
 * @param stateDir        sandbox directories and leases ({@code /var/lib/isolab} as root)
 * @param cacheDir        rootfs trees, guest kernels ({@code /var/cache/isolab} as root)
 * @param pluginsDir      where backend plugins are loaded from
 * @param backendSettings per-backend sections ({@code backends:}), bound by each backend
 */
@JsonIgnoreProperties("backends")
public record IsolabConfig(
        String backend,
        List<String> prefer,
        Set<Capability> require,
        Defaults defaults,
        Path stateDir,
        Path cacheDir,
        Path pluginsDir,
        @JsonIgnore BackendSettings backendSettings) {

    public IsolabConfig {
        if (backend != null && prefer != null && !prefer.isEmpty()) {
            throw new IllegalArgumentException("give either 'backend' or 'prefer', not both");
        }
        prefer = prefer == null ? List.of() : List.copyOf(prefer);
        require = require == null || require.isEmpty()
                ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(require));
        defaults = defaults == null ? Defaults.NONE : defaults;
        boolean root = "root".equals(System.getProperty("user.name"));
        stateDir = absolute(stateDir != null ? stateDir : root ? Path.of("/var/lib/isolab") : xdg("XDG_STATE_HOME", ".local/state"));
        cacheDir = absolute(cacheDir != null ? cacheDir : root ? Path.of("/var/cache/isolab") : xdg("XDG_CACHE_HOME", ".cache"));
        pluginsDir = absolute(pluginsDir != null ? pluginsDir : Path.of(System.getProperty("isolab.plugins.dir", "plugins")));
        backendSettings = backendSettings == null ? BackendSettings.NONE : backendSettings;
    }

    /** Everything default: any available backend, no limits, the standard directories. */
    public static IsolabConfig standard() {
        return new IsolabConfig(null, null, null, null, null, null, null, null);
    }

    public IsolabConfig withBackend(String id) {
        return new IsolabConfig(id, null, require, defaults, stateDir, cacheDir, pluginsDir, backendSettings);
    }

    public IsolabConfig withPrefer(List<String> ids) {
        return new IsolabConfig(null, ids, require, defaults, stateDir, cacheDir, pluginsDir, backendSettings);
    }

    public IsolabConfig withRequire(Set<Capability> capabilities) {
        return new IsolabConfig(backend, prefer, capabilities, defaults, stateDir, cacheDir, pluginsDir, backendSettings);
    }

    public IsolabConfig withDefaults(Defaults newDefaults) {
        return new IsolabConfig(backend, prefer, require, newDefaults, stateDir, cacheDir, pluginsDir, backendSettings);
    }

    public IsolabConfig withDirs(Path newStateDir, Path newCacheDir, Path newPluginsDir) {
        return new IsolabConfig(backend, prefer, require, defaults, newStateDir, newCacheDir, newPluginsDir, backendSettings);
    }

    public IsolabConfig withBackendSettings(BackendSettings settings) {
        return new IsolabConfig(backend, prefer, require, defaults, stateDir, cacheDir, pluginsDir, settings);
    }

    private static Path xdg(String variable, String fallbackUnderHome) {
        String base = System.getenv(variable);
        Path dir = base != null && !base.isEmpty() ? Path.of(base)
                : Path.of(System.getProperty("user.home")).resolve(fallbackUnderHome);
        return dir.resolve("isolab");
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
