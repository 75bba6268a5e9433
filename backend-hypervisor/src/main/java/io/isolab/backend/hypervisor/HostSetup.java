package io.isolab.backend.hypervisor;

import io.isolab.api.IsolabException;
import io.isolab.api.spi.BackendContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * {@code isolab setup hypervisor}: fetches a guest kernel and, for {@code qemu:///system} on a host without
 * systemd, starts virtlogd and libvirtd, saying each step. Installs no packages: it names them.
 *
 * <p>libvirtd is started under {@code tini -s} when tini is installed. When a domain ends, libvirt waits
 * until QEMU's process is gone, polling every 200 ms; QEMU is a daemonized orphan, so it is gone only once
 * it is reaped, and a PID 1 that reaps lazily (a container's or a micro-VM's) costs every sandbox up to
 * seconds. A subreaper above libvirtd reaps it at once.
 */
final class HostSetup {
    private static final Duration DAEMON_START = Duration.ofSeconds(60);

    private final BackendContext<HypervisorSettings> context;
    private final Consumer<String> progress;

    HostSetup(BackendContext<HypervisorSettings> context, Consumer<String> progress) {
        this.context = context;
        this.progress = progress;
    }

    void run() {
        HypervisorSettings settings = context.settings();
        List<String> missing = Stream.of("qemu-system-x86_64", "libvirtd", "virtlogd")
                .filter(t -> Commands.which(t).isEmpty()).toList();
        if (!missing.isEmpty()) {
            progress.accept("not installed: " + String.join(", ", missing)
                    + "; install with: apt-get install qemu-system-x86 libvirt-daemon-system libvirt-clients");
        }
        fetchKernel(settings);
        if (!HostCheck.isSystem(settings.uri())) {
            progress.accept("libvirt: " + settings.uri() + " is not qemu:///system; isolab starts no daemons for it");
            return;
        }
        if (missing.contains("libvirtd") || missing.contains("virtlogd")) {
            return;
        }
        startVirtlogd();
        startLibvirtd(settings.uri());
    }

    private void fetchKernel(HypervisorSettings settings) {
        if (settings.kernel() != null) {
            progress.accept("guest kernel: " + settings.kernel() + " (configured)");
            return;
        }
        Optional<GuestKernel> fetched = GuestKernel.locate(settings, context.cacheDir());
        if (fetched.isPresent()) {
            progress.accept("guest kernel: " + fetched.get().release() + " (fetched before, in "
                    + fetched.get().image().getParent() + ")");
            return;
        }
        new KernelFetcher(context.cacheDir(), progress).fetch(settings.kernelPackage());
    }

    private void startVirtlogd() {
        if (HostCheck.virtlogdRunning()) {
            progress.accept("virtlogd: running");
            return;
        }
        progress.accept("virtlogd: not running; starting it: virtlogd -d");
        Commands.run(null, List.of("virtlogd", "-d"));
        long deadline = System.nanoTime() + DAEMON_START.toNanos();
        while (!HostCheck.virtlogdRunning()) {
            if (System.nanoTime() > deadline) {
                throw new IsolabException("virtlogd did not open " + HostCheck.VIRTLOGD_SOCKET + " within " + DAEMON_START.toSeconds() + " s");
            }
            sleep(50);
        }
    }

    private void startLibvirtd(String uri) {
        if (reachable(uri)) {
            progress.accept("libvirtd: running");
            return;
        }
        Optional<Path> tini = Commands.which("tini");
        if (tini.isPresent()) {
            Path log = context.stateDir().resolve("hypervisor").resolve("libvirtd.log");
            progress.accept("libvirtd: not running; starting it under a subreaper, so that QEMU's exit is reaped at once:"
                    + " setsid tini -s -- libvirtd (output in " + log + "; pid in /run/libvirtd.pid)");
            List<String> command = new ArrayList<>(List.of("setsid", tini.get().toString(), "-s", "--", "libvirtd"));
            Commands.startDetached(command, log);
        } else {
            progress.accept("libvirtd: not running; starting it: libvirtd -d (install tini to have it started under a"
                    + " subreaper: where PID 1 reaps orphans slowly, every domain's end waits for it)");
            Commands.run(null, List.of("libvirtd", "-d"));
        }
        long deadline = System.nanoTime() + DAEMON_START.toNanos();
        while (!reachable(uri)) {
            if (System.nanoTime() > deadline) {
                throw new IsolabException("libvirtd did not answer at " + uri + " within " + DAEMON_START.toSeconds() + " s");
            }
            sleep(200);
        }
        progress.accept("libvirtd: up; on its first start it probes QEMU's capabilities, which takes a few seconds");
        try {
            Connect connect = LibvirtConnections.open(uri);
            try {
                connect.getCapabilities();
            } finally {
                connect.close();
            }
        } catch (LibvirtException e) {
            throw new IsolabException("libvirtd at " + uri + ": " + LibvirtConnections.message(e), e);
        }
        progress.accept("libvirtd: ready");
    }

    private static boolean reachable(String uri) {
        try {
            LibvirtConnections.open(uri).close();
            return true;
        } catch (LibvirtException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolabException("interrupted while waiting for a daemon");
        }
    }
}
