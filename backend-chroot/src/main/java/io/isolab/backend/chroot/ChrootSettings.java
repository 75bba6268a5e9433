package io.isolab.backend.chroot;

/** Settings of the {@code chroot} backend: section {@code backends.chroot} of the config. None yet. */
public record ChrootSettings() {
}
