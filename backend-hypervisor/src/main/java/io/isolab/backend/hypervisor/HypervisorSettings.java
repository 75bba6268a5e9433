package io.isolab.backend.hypervisor;

/** Settings of the {@code hypervisor} backend: section {@code backends.hypervisor} of the config. None yet. */
public record HypervisorSettings() {
}
