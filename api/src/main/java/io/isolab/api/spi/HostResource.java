package io.isolab.api.spi;

/**
 * One thing on the host that a sandbox created.
 *
 * @param kind      what it is: {@code cgroup}, {@code mount}, {@code netns}, {@code domain}, {@code jail},
 *                  {@code process}, {@code directory}
 * @param name      how to find it: a path, a name, a pid
 * @param sandboxId the sandbox that owns it
 */
public record HostResource(String kind, String name, String sandboxId) {

    @Override
    public String toString() {
        return kind + " " + name;
    }
}
