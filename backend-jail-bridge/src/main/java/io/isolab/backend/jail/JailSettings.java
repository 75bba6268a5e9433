package io.isolab.backend.jail;

/** Settings of the {@code jail} backend: section {@code backends.jail} of the config. None yet. */
public record JailSettings() {
}
