package io.isolab.backend.hypervisor;

import io.isolab.api.InvalidSpecException;
import io.isolab.api.IsolabException;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.Units;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opened hypervisor backend: one libvirt connection, through which every sandbox's transient domain is
 * created with {@code VIR_DOMAIN_START_AUTODESTROY}, so libvirt itself destroys the domains of a JVM that
 * dies (its connection closes); the guest init powers off too when its channel's other end goes away.
 */
final class HypervisorDriver implements BackendDriver {
    private static final Logger LOG = LoggerFactory.getLogger(HypervisorDriver.class);
    static final String PREFIX = "isolab-" + HypervisorProvider.ID + "-";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Path SYSTEM_LOG_DIR = Path.of("/var/log/libvirt/qemu");

    private final BackendContext<HypervisorSettings> context;
    private final HostCheck.Report host;
    private final Connect connect;

    HypervisorDriver(BackendContext<HypervisorSettings> context, HostCheck.Report host, Connect connect) {
        this.context = context;
        this.host = host;
        this.connect = connect;
    }

    @Override
    public Map<String, String> facts() {
        return host.availability().facts();
    }

    @Override
    public void validate(SandboxSpec spec) {
        if (!Files.isDirectory(spec.rootfs())) {
            throw new InvalidSpecException("rootfs", spec.rootfs() + " does not exist or is not a directory");
        }
        long memory = memory(spec);
        long image = imageSize(Initramfs.ensure(context.cacheDir(), spec.rootfs(), host.modules()));
        long minimum = GuestMemory.minimum(host.kernel().image(), image);
        if (memory < minimum) {
            throw new InvalidSpecException("limits.memory", "a guest of this rootfs needs at least "
                    + Units.formatBytes(minimum) + " of RAM: its kernel decompresses into the first "
                    + Units.formatBytes(GuestMemory.decompression(host.kernel().image())) + ", and its initramfs ("
                    + Units.formatBytes(image) + ") is loaded and unpacked beside it (got " + Units.formatBytes(memory)
                    + (spec.limits().memoryBytes() == null ? ", backends.hypervisor.default-memory" : "") + ")");
        }
        GuestUser user = spec.process().user() == null ? null : GuestUser.resolve(spec.rootfs(), spec.process().user());
        int size = GuestProtocol.spec(spec.process().argv(), spec.process().env(), spec.process().cwd(), user,
                spec.hostname(), spec.limits().maxPids(), spec.limits().cpus(), spec.readOnlyRoot()).length;
        if (size > GuestProtocol.MAX_PAYLOAD) {
            throw new InvalidSpecException("process", "argv and env take " + size + " bytes; the guest accepts "
                    + GuestProtocol.MAX_PAYLOAD);
        }
    }

    private static long imageSize(Path image) {
        try {
            return Files.size(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guest initramfs " + image, e);
        }
    }

    private long memory(SandboxSpec spec) {
        Long limit = spec.limits().memoryBytes();
        return limit != null ? limit : context.settings().defaultMemory();
    }

    /** Enough vCPUs for {@code limits.cpus} (the guest's cpu.max then caps the workload), at least the configured number. */
    private int vcpus(SandboxSpec spec) {
        Double cpus = spec.limits().cpus();
        return Math.max(context.settings().vcpus(), cpus == null ? 1 : (int) Math.ceil(cpus));
    }

    @Override
    public SandboxHandle create(SandboxSpec spec, SandboxContext sandbox) {
        HypervisorSettings settings = context.settings();
        long memory = memory(spec);
        GuestUser user = spec.process().user() == null ? null : GuestUser.resolve(spec.rootfs(), spec.process().user());
        Path initrd = Initramfs.ensure(context.cacheDir(), spec.rootfs(), host.modules());
        Path console = sandbox.dir().resolve("console.log");
        GuestChannel channel;
        try {
            channel = GuestChannel.listen(sandbox.dir().resolve("io.sock"), host.qemuUser());
        } catch (IOException e) {
            throw new SandboxStartException("channel", e.getMessage(), e);
        }
        DomainXml xml = new DomainXml(sandbox.sandboxId(), host.domainType(), memory, vcpus(spec), settings.machine(),
                host.kernel().image(), initrd, host.cmdline().sandbox(), sandbox.dir().resolve("io.sock"), console,
                host.qemuUser() == null ? null : host.qemuUser().toString());
        Domain domain = null;
        try {
            domain = connect.domainCreateXML(xml.toXml(), Domain.CreateFlags.PAUSED | Domain.CreateFlags.AUTODESTROY);
            channel.accept(CONNECT_TIMEOUT);
            return new VmSandbox(sandbox.sandboxId(), spec, user, this, domain, channel, console, settings.bootTimeout());
        } catch (LibvirtException | IOException | RuntimeException e) {
            if (domain != null) {
                destroyDomain(sandbox.sandboxId());
            }
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            removeDomainLog(sandbox.sandboxId());
            if (e instanceof LibvirtException l) {
                throw new SandboxStartException("domain create", LibvirtConnections.message(l), e);
            }
            if (e instanceof IOException) {
                throw new SandboxStartException("channel", e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    /** Every {@code isolab-hypervisor-*} domain, running or defined, and the log libvirt keeps of each. */
    @Override
    public List<HostResource> inventory() {
        List<HostResource> found = new ArrayList<>();
        for (String name : domainNames()) {
            found.add(new HostResource("domain", name, name));
        }
        Path logs = logDir();
        if (logs != null && Files.isDirectory(logs)) {
            try (Stream<Path> files = Files.list(logs)) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith(PREFIX) && n.endsWith(".log"))
                        .sorted()
                        .forEach(n -> found.add(new HostResource("file", logs.resolve(n).toString(),
                                n.substring(0, n.length() - ".log".length()))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + logs, e);
            }
        }
        return found;
    }

    @Override
    public void reclaim(HostResource resource) {
        switch (resource.kind()) {
            case "domain" -> {
                destroyDomain(resource.name());
                long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
                while (domainExists(resource.name()) && System.nanoTime() < deadline) {
                    sleep(5);
                }
                if (domainExists(resource.name())) {
                    throw new IsolabException("domain " + resource.name() + " still exists after destroy");
                }
            }
            case "file" -> {
                try {
                    Files.deleteIfExists(Path.of(resource.name()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove " + resource.name(), e);
                }
            }
            default -> throw new IllegalArgumentException("not a hypervisor resource: " + resource);
        }
    }

    private List<String> domainNames() {
        TreeSet<String> names = new TreeSet<>();
        try {
            for (int domainId : connect.listDomains()) {
                try {
                    names.add(connect.domainLookupByID(domainId).getName());
                } catch (LibvirtException gone) {
                    // ended between the list and the lookup
                }
            }
            names.addAll(List.of(connect.listDefinedDomains()));
        } catch (LibvirtException e) {
            throw new IsolabException("cannot list libvirt domains: " + LibvirtConnections.message(e), e);
        }
        return names.stream().filter(n -> n.startsWith(PREFIX)).toList();
    }

    boolean domainExists(String name) {
        try {
            connect.domainLookupByName(name);
            return true;
        } catch (LibvirtException e) {
            if (LibvirtConnections.isNoDomain(e)) {
                return false;
            }
            throw new IsolabException("cannot look up domain " + name + ": " + LibvirtConnections.message(e), e);
        }
    }

    /** Destroys and undefines the domain; quiet when it is already gone. */
    void destroyDomain(String name) {
        Domain domain;
        try {
            domain = connect.domainLookupByName(name);
        } catch (LibvirtException e) {
            if (LibvirtConnections.isNoDomain(e)) {
                return;
            }
            throw new IsolabException("cannot look up domain " + name + ": " + LibvirtConnections.message(e), e);
        }
        try {
            domain.destroy();
        } catch (LibvirtException e) {
            if (!LibvirtConnections.isNotRunning(e)) {
                throw new IsolabException("cannot destroy domain " + name + ": " + LibvirtConnections.message(e), e);
            }
        }
        try {
            if (domain.isPersistent() == 1) {
                domain.undefine();
            }
        } catch (LibvirtException e) {
            if (!LibvirtConnections.isNoDomain(e)) {
                LOG.warn("cannot undefine domain {}: {}", name, LibvirtConnections.message(e));
            }
        }
    }

    /** libvirt keeps QEMU's stderr per domain name; with a name per sandbox, that is a file per sandbox. */
    void removeDomainLog(String name) {
        Path logs = logDir();
        if (logs != null) {
            try {
                Files.deleteIfExists(logs.resolve(name + ".log"));
            } catch (IOException e) {
                LOG.warn("cannot remove libvirt's log of {}: {}", name, e.getMessage());
            }
        }
    }

    private Path logDir() {
        String uri = context.settings().uri();
        if (HostCheck.isSystem(uri)) {
            return SYSTEM_LOG_DIR;
        }
        if (uri.endsWith(":///session")) {
            String cache = System.getenv("XDG_CACHE_HOME");
            Path base = cache != null && !cache.isEmpty() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("libvirt/qemu/log");
        }
        return null;
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.debug("closing the libvirt connection: {}", LibvirtConnections.message(e));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
