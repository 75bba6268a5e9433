package io.isolab.api.host;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.Capability;
import io.isolab.api.config.ConfigException;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The host: loads backend plugins and picks one by config, by id, by preference with fallback, or as the
 * first available backend with the required capabilities.
 *
 * <pre>{@code
 * IsolabConfig config = ConfigLoader.load(Path.of("isolab.yaml"));
 * try (Backends backends = Backends.load(config); Backend backend = backends.select()) {
 *     RunResult result = backend.run(...);
 * }
 * }</pre>
 */
public final class Backends implements AutoCloseable {
    /** The order tried when a config names neither {@code backend} nor {@code prefer}: strongest isolation at least cost first. */
    public static final List<String> DEFAULT_PREFERENCE = List.of("linux-ns", "hypervisor", "jail", "chroot");

    private final IsolabConfig config;
    private final Map<String, Loaded<?>> backends;
    private final AutoCloseable plugins;

    private Backends(IsolabConfig config, List<Loaded<?>> loaded, AutoCloseable plugins) {
        this.config = config;
        this.plugins = plugins;
        Map<String, Loaded<?>> byId = new LinkedHashMap<>();
        loaded.stream().sorted(Comparator.comparing(l -> l.descriptor.id())).forEach(l -> {
            Loaded<?> clash = byId.putIfAbsent(l.descriptor.id(), l);
            if (clash != null) {
                throw new ConfigException("two plugins provide backend '" + l.descriptor.id() + "': "
                        + clash.origin + " and " + l.origin);
            }
        });
        this.backends = byId;
        for (String id : config.backendSettings().ids()) {
            if (!byId.containsKey(id)) {
                throw new UnknownBackendException(id, "the config's backends section", byId.keySet());
            }
        }
        Stream.concat(Stream.ofNullable(config.backend()), config.prefer().stream()).forEach(id -> {
            if (!byId.containsKey(id)) {
                throw new UnknownBackendException(id, "the config", byId.keySet());
            }
        });
    }

    /**
     * Loads every backend plugin from {@link IsolabConfig#pluginsDir()} with PF4J, plus any backend on the
     * application's classpath.
     *
     * @throws ConfigException when a backend's settings section has an unknown key or a bad value
     */
    public static Backends load(IsolabConfig config) {
        PluginHost host = PluginHost.start(config.pluginsDir());
        try {
            List<Loaded<?>> loaded = new ArrayList<>();
            for (PluginHost.Found found : host.providers()) {
                loaded.add(bind(config, found.provider(), found.origin()));
            }
            return new Backends(config, loaded, host);
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** Backends from providers given directly, without PF4J: for tests and for embedding one backend. */
    public static Backends of(IsolabConfig config, List<? extends BackendProvider<?>> providers) {
        List<Loaded<?>> loaded = new ArrayList<>();
        for (BackendProvider<?> provider : providers) {
            loaded.add(bind(config, provider, "classpath"));
        }
        return new Backends(config, loaded, () -> { });
    }

    public IsolabConfig config() {
        return config;
    }

    /** Every loaded backend with its availability here, in id order. Probes each one. */
    public List<BackendStatus> list() {
        return backends.values().stream().map(Loaded::status).toList();
    }

    public Set<String> ids() {
        return backends.keySet();
    }

    /**
     * Opens one backend by id, reclaiming orphans its previous users left.
     *
     * @throws UnknownBackendException     listing the installed ones
     * @throws BackendUnavailableException with the reason
     */
    public Backend open(String id) {
        Loaded<?> loaded = backends.get(id);
        if (loaded == null) {
            throw new UnknownBackendException(id, "", backends.keySet());
        }
        return loaded.open();
    }

    /** Selects by the config: {@code backend}, else {@code prefer}, else {@link #DEFAULT_PREFERENCE}; with {@code require}. */
    public Backend select() {
        if (config.backend() != null) {
            return select(List.of(config.backend()), config.require(), true);
        }
        return select(config.prefer().isEmpty() ? defaultOrder() : config.prefer(), config.require(), false);
    }

    /**
     * Opens the first backend of {@code candidates} that is available and has every capability of
     * {@code require}.
     *
     * @throws NoBackendAvailableException listing every candidate with the reason it was passed over
     */
    public Backend select(List<String> candidates, Set<Capability> require) {
        return select(candidates, require, false);
    }

    private Backend select(List<String> candidates, Set<Capability> require, boolean explicit) {
        List<String> reasons = new ArrayList<>();
        for (String id : candidates) {
            Loaded<?> loaded = backends.get(id);
            if (loaded == null) {
                throw new UnknownBackendException(id, "", backends.keySet());
            }
            List<String> missing = require.stream().filter(c -> !loaded.descriptor.has(c))
                    .map(Capability::key).toList();
            if (!missing.isEmpty()) {
                reasons.add(id + ": lacks " + String.join(", ", missing));
                continue;
            }
            Availability availability = loaded.probe();
            if (!availability.available()) {
                if (explicit) {
                    throw new BackendUnavailableException(id, availability);
                }
                reasons.add(id + ": " + availability.reason());
                continue;
            }
            return loaded.open();
        }
        String what = require.isEmpty() ? "" : "with " + require.stream().map(Capability::key)
                .collect(Collectors.joining(", "));
        throw new NoBackendAvailableException(what, reasons);
    }

    private List<String> defaultOrder() {
        List<String> order = new ArrayList<>(DEFAULT_PREFERENCE.stream().filter(backends::containsKey).toList());
        backends.keySet().stream().filter(id -> !order.contains(id)).forEach(order::add);
        return order;
    }

    /**
     * Removes orphans of every available backend.
     *
     * @return one report per available backend; unavailable ones are skipped and reported through
     *         {@code skipped} with their reason
     */
    public List<GcReport> gc(Consumer<String> skipped) {
        List<GcReport> reports = new ArrayList<>();
        for (Loaded<?> loaded : backends.values()) {
            Availability availability = loaded.probe();
            if (!availability.available()) {
                skipped.accept(loaded.descriptor.id() + ": " + availability.reason());
                continue;
            }
            try (Backend backend = loaded.open()) {
                reports.add(backend.reclaimedAtOpen());
            }
        }
        return reports;
    }

    /**
     * Runs a backend's setup (fetch a guest kernel, start daemons), reporting each step.
     *
     * @return its availability afterwards
     */
    public Availability setup(String id, Consumer<String> progress) {
        Loaded<?> loaded = backends.get(id);
        if (loaded == null) {
            throw new UnknownBackendException(id, "", backends.keySet());
        }
        return loaded.setup(progress);
    }

    @Override
    public void close() {
        try {
            plugins.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot unload plugins: " + e.getMessage(), e);
        }
    }

    private static <S extends Record> Loaded<S> bind(IsolabConfig config, BackendProvider<S> provider, String origin) {
        BackendDescriptor descriptor = provider.descriptor();
        S settings = config.backendSettings().bind(descriptor.id(), provider.settingsType());
        return new Loaded<>(provider, descriptor, new BackendContext<>(settings, config.stateDir(), config.cacheDir()), origin);
    }

    /** A provider with its settings bound. */
    private record Loaded<S extends Record>(BackendProvider<S> provider, BackendDescriptor descriptor,
                                            BackendContext<S> context, String origin) {
        Availability probe() {
            try {
                return provider.probe(context);
            } catch (RuntimeException e) {
                return Availability.unavailable("its availability probe failed: " + e);
            }
        }

        BackendStatus status() {
            return new BackendStatus(descriptor, probe(), origin);
        }

        Backend open() {
            return Backend.open(provider, context);
        }

        Availability setup(Consumer<String> progress) {
            return provider.setup(context, progress);
        }
    }
}
