package io.isolab.backend.linuxns;

/** Settings of the {@code linux-ns} backend: section {@code backends.linux-ns} of the config. None yet. */
public record LinuxNsSettings() {
}
