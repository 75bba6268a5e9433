package io.isolab.api.config;

import java.util.Set;

/** The {@code backends.<id>} sections of a config, bound to each backend's own settings record on demand. */
public interface BackendSettings {

    /** No sections: every backend gets its defaults. */
    BackendSettings NONE = new BackendSettings() {
        @Override
        public Set<String> ids() {
            return Set.of();
        }

        @Override
        public <S extends Record> S bind(String backendId, Class<S> type) {
            return ConfigLoader.bindEmpty(type);
        }
    };

    /** The backend ids that have a section. */
    Set<String> ids();

    /**
     * Binds the section of {@code backendId} (or an empty one) to {@code type}.
     *
     * @throws ConfigException naming the file, line and key of an unknown key or bad value
     */
    <S extends Record> S bind(String backendId, Class<S> type);
}
