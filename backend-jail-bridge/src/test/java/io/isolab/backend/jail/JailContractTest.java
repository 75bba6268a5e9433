package io.isolab.backend.jail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.isolab.api.Availability;
import io.isolab.api.config.ConfigLoader;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.contract.BackendContract;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendProvider;
import io.isolab.backend.jail.transport.CommandResult;
import io.isolab.backend.jail.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract suite against a real FreeBSD host. Configured from the environment:
 *
 * <pre>
 * ISOLAB_JAIL_HOST=root@bsd.example.org   (or "local" on the FreeBSD host itself)
 * ISOLAB_JAIL_IDENTITY=~/.ssh/id_ed25519   (absent: ssh-agent)
 * ISOLAB_JAIL_KNOWN_HOSTS, ISOLAB_JAIL_PORT, ISOLAB_JAIL_ROOTFS, ISOLAB_JAIL_PROBE (source | linux | none)
 * </pre>
 *
 * Without ISOLAB_JAIL_HOST the suite is skipped, and says why in the test report.
 */
@EnabledIfEnvironmentVariable(named = "ISOLAB_JAIL_HOST", matches = ".+",
        disabledReason = "ISOLAB_JAIL_HOST is not set: the jail contract suite needs a real FreeBSD host"
                + " (see backend-jail-bridge/README.md)")
class JailContractTest extends BackendContract {
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "host", "ISOLAB_JAIL_HOST", "port", "ISOLAB_JAIL_PORT", "identity", "ISOLAB_JAIL_IDENTITY",
            "known-hosts", "ISOLAB_JAIL_KNOWN_HOSTS", "rootfs", "ISOLAB_JAIL_ROOTFS", "probe", "ISOLAB_JAIL_PROBE");

    @Override
    protected BackendProvider<?> provider() {
        return new JailProvider();
    }

    /** The standard config with a {@code backends.jail} section built from the environment. */
    @Override
    protected IsolabConfig config() {
        Map<String, Object> jail = new LinkedHashMap<>();
        ENVIRONMENT.forEach((key, variable) -> {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                jail.put(key, key.equals("port") ? Integer.valueOf(value) : value);
            }
        });
        try {
            String yaml = new ObjectMapper(new YAMLFactory()).writeValueAsString(Map.of("backends", Map.of("jail", jail)));
            return ConfigLoader.parse(Path.of("ISOLAB_JAIL_* environment"), yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Path rootfs() {
        return Path.of(settings().rootfs());
    }

    @Override
    protected String loopbackInterface() {
        return "lo0";
    }

    /** The FreeBSD host's interfaces ({@code ifconfig -l}), which a jail with ip4=inherit sees. */
    @Override
    protected Set<String> hostInterfaces() {
        try (Transport transport = Transports.open(settings())) {
            CommandResult list = transport.run(List.of("ifconfig", "-l"), Duration.ofSeconds(30));
            if (!list.success()) {
                throw new IllegalStateException(list.describe());
            }
            return new TreeSet<>(List.of(list.stdoutText().strip().split("\\s+")));
        }
    }

    /** Runs after the kit has found the backend available: puts the probe into the rootfs on the host. */
    @BeforeAll
    void installProbe() {
        IsolabConfig config = config();
        Availability after = new JailProvider().setup(new BackendContext<>(settings(), config.stateDir(),
                config.cacheDir()), step -> System.out.println("[jail setup] " + step));
        if (!after.available()) {
            throw new IllegalStateException("installing the probe failed: " + after.reason());
        }
    }

    private JailSettings settings() {
        return config().backendSettings().bind("jail", JailSettings.class);
    }
}
