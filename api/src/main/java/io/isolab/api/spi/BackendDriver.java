package io.isolab.api.spi;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.IsolabException;
import io.isolab.api.SandboxSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An opened backend. Called only by {@link io.isolab.api.host.Backend}, which has already checked the spec
 * against the declared capabilities.
 */
public interface BackendDriver extends AutoCloseable {

    /**
     * Checks what only this backend can check (the rootfs exists on its host, the user exists in the
     * rootfs), before anything is created.
     */
    default void validate(SandboxSpec spec) throws InvalidSpecException {
    }

    /**
     * Creates a sandbox without starting its main process. On failure, whatever was created is removed
     * before the exception leaves.
     */
    SandboxHandle create(SandboxSpec spec, SandboxContext context) throws IsolabException;

    /**
     * Every host resource named {@code isolab-*} that this backend knows how to find (cgroups, mounts,
     * network namespaces, libvirt domains, jails, processes), live or orphaned. {@code gc} reclaims those
     * whose sandbox has no live lease; tests assert none remain after destroy.
     */
    List<HostResource> inventory();

    /** Removes one resource found by {@link #inventory()}; idempotent. */
    void reclaim(HostResource resource) throws IsolabException;

    /**
     * Where the workload rootfs is for a backend whose sandboxes run on another host (a FreeBSD jail host):
     * a path on that host. Empty for backends that run on this host and take isolab's own workload rootfs.
     */
    default Optional<Path> workloadRootfs() {
        return Optional.empty();
    }

    /** Facts reported with every result (cgroup version, libvirt domain type). */
    default Map<String, String> facts() {
        return Map.of();
    }

    @Override
    default void close() {
    }
}
