package io.isolab.api.host;

import io.isolab.api.spi.BackendProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.BasePluginRepository;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginManager;
import org.pf4j.PluginRepository;
import org.pf4j.PluginWrapper;
import org.pf4j.PropertiesPluginDescriptorFinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PF4J, set up for isolab's two layouts.
 *
 * <ul>
 *   <li>Deployment: {@code plugins/<name>/plugin.properties} and {@code plugins/<name>/lib/*.jar}, as the
 *       build lays them out (zip files are unpacked by PF4J too).</li>
 *   <li>Development ({@code -Dpf4j.mode=development}, plugins directory = the source tree's root): every
 *       {@code backend-*} module, from {@code target/classes} and {@code target/lib}, so a change is
 *       picked up after {@code mvn compile} without repackaging.</li>
 * </ul>
 */
final class PluginHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final PluginManager manager;

    private PluginHost(PluginManager manager) {
        this.manager = manager;
    }

    static PluginHost start(Path pluginsDir) {
        PluginManager manager = new IsolabPluginManager(pluginsDir);
        manager.loadPlugins();
        manager.startPlugins();
        for (PluginWrapper plugin : manager.getPlugins()) {
            if (plugin.getFailedException() != null) {
                LOG.warn("plugin {} failed to load: {}", plugin.getPluginId(), plugin.getFailedException().toString());
            }
        }
        return new PluginHost(manager);
    }

    /** A provider and where it came from. */
    record Found(BackendProvider<?> provider, String origin) {
    }

    List<Found> providers() {
        List<Found> found = new ArrayList<>();
        for (PluginWrapper plugin : manager.getStartedPlugins()) {
            String origin = "plugin " + plugin.getPluginId() + "@" + plugin.getDescriptor().getVersion();
            for (BackendProvider<?> provider : manager.getExtensions(BackendProvider.class, plugin.getPluginId())) {
                found.add(new Found(provider, origin));
            }
        }
        // Backends on the application classpath (an embedder that put a backend jar there) are extensions of
        // no plugin.
        for (BackendProvider<?> provider : manager.getExtensions(BackendProvider.class, null)) {
            found.add(new Found(provider, "classpath"));
        }
        return found;
    }

    @Override
    public void close() {
        manager.stopPlugins();
        manager.unloadPlugins();
    }

    /** The runtime mode is PF4J's own: the {@code pf4j.mode} system property. */
    private static final class IsolabPluginManager extends DefaultPluginManager {

        IsolabPluginManager(Path pluginsDir) {
            super(pluginsDir);
        }

        @Override
        protected PluginDescriptorFinder createPluginDescriptorFinder() {
            // The descriptor is a filtered resource: in development it is read where the build put it.
            return isDevelopment()
                    ? new PropertiesPluginDescriptorFinder("target/classes/plugin.properties")
                    : new PropertiesPluginDescriptorFinder();
        }

        @Override
        protected PluginRepository createPluginRepository() {
            if (!isDevelopment()) {
                return super.createPluginRepository();
            }
            return new BasePluginRepository(pluginsRoots, (File dir) -> dir.isDirectory()
                    && dir.getName().startsWith("backend-")
                    && Files.isRegularFile(dir.toPath().resolve("target/classes/plugin.properties"))) {
                @Override
                public List<Path> getPluginPaths() {
                    return super.getPluginPaths().stream().sorted().toList();
                }
            };
        }
    }

}
