package io.isolab.api.host;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.BackendUnavailableException;
import io.isolab.api.Capability;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.OutputListener;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.Timings;
import io.isolab.api.UnsupportedCapabilityException;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An opened backend: creates sandboxes and runs workloads in them. Obtain one from
 * {@link io.isolab.api.host.Backends}, or with {@link #open} when embedding a provider directly.
 *
 * <p>Every spec is checked here, once for all backends, before anything runs: structure (by the records),
 * then the capabilities it needs against those the backend declares, then what only the backend can
 * check ({@link BackendDriver#validate}).
 */
public final class Backend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Backend.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BackendDescriptor descriptor;
    private final BackendDriver driver;
    private final Path sandboxesDir;
    private final Leases leases;
    private GcReport reclaimedAtOpen;

    private Backend(BackendDescriptor descriptor, BackendDriver driver, Path stateDir) {
        this.descriptor = descriptor;
        this.driver = driver;
        this.sandboxesDir = stateDir.resolve("sandboxes");
        this.leases = new Leases(stateDir);
    }

    /**
     * Opens a provider's backend and reclaims the orphans a killed JVM left behind.
     *
     * @throws BackendUnavailableException with the availability probe's reason
     */
    public static <S extends Record> Backend open(BackendProvider<S> provider, BackendContext<S> context) {
        BackendDescriptor descriptor = provider.descriptor();
        Availability availability = provider.probe(context);
        if (!availability.available()) {
            throw new BackendUnavailableException(descriptor.id(), availability);
        }
        Backend backend = new Backend(descriptor, provider.open(context), context.stateDir());
        try {
            backend.reclaimedAtOpen = backend.gc();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        if (!backend.reclaimedAtOpen.removed().isEmpty()) {
            LOG.info("{}: reclaimed {} orphaned resource(s) left by a dead process: {}", descriptor.id(),
                    backend.reclaimedAtOpen.removed().size(), backend.reclaimedAtOpen.removed());
        }
        return backend;
    }

    /** What {@link #open} reclaimed: the orphans of sandboxes whose JVM died. */
    public GcReport reclaimedAtOpen() {
        return reclaimedAtOpen;
    }

    public BackendDescriptor descriptor() {
        return descriptor;
    }

    public String id() {
        return descriptor.id();
    }

    /**
     * The rootfs to run the workload in when the caller names none: the backend's own (a path on the jail
     * host), or else {@code local}, isolab's workload rootfs on this host.
     */
    public Path workloadRootfs(java.util.function.Supplier<Path> local) {
        return driver.workloadRootfs().orElseGet(local);
    }

    /** Facts about how this backend runs here (cgroup version, libvirt domain type ...). */
    public Map<String, String> facts() {
        return driver.facts();
    }

    /**
     * Creates a sandbox, not yet started.
     *
     * @throws InvalidSpecException            naming the bad field
     * @throws UnsupportedCapabilityException naming the capability the backend lacks
     */
    public Sandbox create(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec");
        check(spec);
        String sandboxId = "isolab-" + descriptor.id() + "-" + HexFormat.of().formatHex(randomBytes(5));
        long t0 = System.nanoTime();
        Leases.Lease lease = leases.acquire(sandboxId);
        Path dir = sandboxesDir.resolve(sandboxId);
        SandboxHandle handle;
        try {
            Files.createDirectories(dir);
            handle = driver.create(spec, new SandboxContext(sandboxId, dir));
        } catch (IOException e) {
            deleteTree(dir);
            lease.release();
            throw new UncheckedIOException("cannot create the sandbox directory " + dir, e);
        } catch (RuntimeException e) {
            deleteTree(dir);
            lease.release();
            throw e;
        }
        return new Sandbox(sandboxId, this, spec, handle, lease, dir, System.nanoTime() - t0);
    }

    /** Creates, starts, waits for and destroys a sandbox: the common case. */
    public RunResult run(SandboxSpec spec) throws InterruptedException {
        return run(spec, OutputListener.NONE);
    }

    /** As {@link #run(SandboxSpec)}, streaming output to {@code listener} as it arrives. */
    public RunResult run(SandboxSpec spec, OutputListener listener) throws InterruptedException {
        Sandbox sandbox = create(spec);
        RunResult result;
        try {
            sandbox.start(listener);
            result = sandbox.waitFor();
        } catch (RuntimeException | InterruptedException | Error e) {
            sandbox.close();
            throw e;
        }
        long t0 = System.nanoTime();
        sandbox.close();
        return result.withTimings(result.timings().with(Timings.DESTROY, System.nanoTime() - t0));
    }

    /** Every {@code isolab-*} resource of this backend on the host, live or orphaned. */
    public List<HostResource> inventory() {
        return driver.inventory();
    }

    /**
     * Removes the resources of sandboxes whose owner is gone (a JVM killed mid-run), and their private
     * directories. Sandboxes that a live process holds are left alone, in this JVM or another.
     */
    public GcReport gc() {
        List<HostResource> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Set<String> orphans = new TreeSet<>();
        for (HostResource resource : driver.inventory()) {
            if (!leases.isHeld(resource.sandboxId())) {
                orphans.add(resource.sandboxId());
                try {
                    driver.reclaim(resource);
                    removed.add(resource);
                } catch (RuntimeException e) {
                    failures.add(resource + ": " + e.getMessage());
                }
            }
        }
        if (Files.isDirectory(sandboxesDir)) {
            try (var dirs = Files.list(sandboxesDir)) {
                for (Path dir : (Iterable<Path>) dirs::iterator) {
                    String sandboxId = dir.getFileName().toString();
                    if (sandboxId.startsWith("isolab-" + descriptor.id() + "-") && !leases.isHeld(sandboxId)) {
                        deleteTree(dir);
                        removed.add(new HostResource("directory", dir.toString(), sandboxId));
                    }
                }
            } catch (IOException e) {
                failures.add("cannot list " + sandboxesDir + ": " + e.getMessage());
            }
        }
        leases.breakStale();
        return new GcReport(descriptor.id(), removed, failures);
    }

    @Override
    public void close() {
        driver.close();
    }

    void check(SandboxSpec spec) {
        for (Map.Entry<Capability, String> need : spec.requiredCapabilities().entrySet()) {
            if (!descriptor.has(need.getKey())) {
                throw new UnsupportedCapabilityException(descriptor.id(), need.getKey(), need.getValue());
            }
        }
        driver.validate(spec);
    }

    void requireCapability(Capability capability, String operation) {
        if (!descriptor.has(capability)) {
            throw new UnsupportedCapabilityException(descriptor.id(), capability, operation);
        }
    }

    Map<String, String> driverFacts() {
        return driver.facts();
    }

    void released(Leases.Lease lease, Path dir) {
        try {
            deleteTree(dir);
        } finally {
            lease.release();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * Removes a sandbox's private directory. Refuses to cross into another filesystem: a mount left inside
     * (an overlay, a bind mount) means a backend leaked it, and deleting through it would delete what it
     * shows.
     */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            // the common case, a directory the backend left empty, at once: the walk reads every level's attributes
            Files.delete(dir);
            return;
        } catch (java.nio.file.NoSuchFileException gone) {
            return; // removed concurrently
        } catch (IOException notEmpty) {
            // not empty, or not removable: the walk below deletes what it may and says why it cannot
        }
        try {
            Object device = Files.getAttribute(dir, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a)
                        throws IOException {
                    if (!device.equals(Files.getAttribute(d, "unix:dev", java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                        throw new IOException(d + " is a mount point; a backend leaked it");
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                        throws IOException {
                    Files.delete(f);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (java.nio.file.NoSuchFileException gone) {
            // removed concurrently
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
