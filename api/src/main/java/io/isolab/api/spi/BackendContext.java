package io.isolab.api.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the host gives a backend.
 *
 * @param settings the backend's settings from the config file
 * @param stateDir where sandboxes' private directories and leases live; survives a JVM crash so that
 *                 {@code gc} can find what a dead JVM left
 * @param cacheDir where rebuildable artefacts live (rootfs trees, guest kernels, initramfs images);
 *                 traversable by other users, because libvirt's qemu user reads from it
 */
public record BackendContext<S extends Record>(S settings, Path stateDir, Path cacheDir) {

    public BackendContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(cacheDir, "cacheDir");
    }
}
