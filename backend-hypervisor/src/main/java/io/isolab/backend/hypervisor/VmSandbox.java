package io.isolab.backend.hypervisor;

import io.isolab.api.ExitStatus;
import io.isolab.api.IsolabException;
import io.isolab.api.ProcessSpec;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.SandboxStats;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.MemoryStatistic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox: a transient libvirt domain, created paused, and the channel to its init.
 *
 * <p>{@link #start} resumes the domain, waits for the guest init's HELLO (the boot phase), sends the spec
 * and returns once the workload runs. A reader thread relays the guest's frames: output to the sinks,
 * exits to the processes. When the main process exits, the host samples libvirt's counters while the
 * domain still exists, tells the guest to power off and completes the exit; {@link #destroy} waits for the
 * domain's end (libvirt's part of it alone is ~200 ms), which is the sandbox's teardown.
 */
final class VmSandbox implements SandboxHandle {
    private static final Logger LOG = LoggerFactory.getLogger(VmSandbox.class);
    /** libvirt's VIR_DOMAIN_MEMORY_STAT_RSS: QEMU's resident set, in KiB. */
    private static final int MEMORY_STAT_RSS = 7;
    private static final Duration EXEC_START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration DOMAIN_END_TIMEOUT = Duration.ofSeconds(30);
    private static final int GUEST_LOG_LINES = 20;

    private final String id;
    private final SandboxSpec spec;
    private final GuestUser user;
    private final HypervisorDriver driver;
    private final Domain domain;
    private final GuestChannel channel;
    private final Path console;
    private final Duration bootTimeout;
    private final Thread reader;
    private final GuestProcess[] processes = new GuestProcess[GuestProtocol.MAX_PROCESSES];
    private final CompletableFuture<GuestProtocol.Hello> hello = new CompletableFuture<>();
    private final Deque<String> guestLog = new ArrayDeque<>();
    private final Object statsLock = new Object();
    private CompletableFuture<GuestProtocol.GuestStats> pendingStats;
    private GuestProtocol.GuestStats lastGuestStats;
    private volatile SandboxStats finalStats;
    private volatile boolean paused;
    private volatile boolean destroyed;
    private volatile long resumedAt;
    private volatile long helloAt;
    private volatile long runAt;
    private volatile long exitAt;
    /** When the domain was gone, for a main process that never reported its exit. */
    private volatile long goneAt;

    VmSandbox(String id, SandboxSpec spec, GuestUser user, HypervisorDriver driver, Domain domain, GuestChannel channel,
              Path console, Duration bootTimeout) {
        this.id = id;
        this.spec = spec;
        this.user = user;
        this.driver = driver;
        this.domain = domain;
        this.channel = channel;
        this.console = console;
        this.bootTimeout = bootTimeout;
        this.reader = new Thread(this::readFrames, id + "-channel");
        reader.setDaemon(true);
    }

    @Override
    public String backendId() {
        return HypervisorProvider.ID;
    }

    @Override
    public ExecHandle start(ProcessIo io) {
        resumedAt = System.nanoTime();
        try {
            domain.resume();
        } catch (LibvirtException e) {
            throw new SandboxStartException("domain resume", LibvirtConnections.message(e), e);
        }
        reader.start();
        try {
            hello.get(bootTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SandboxStartException("guest boot", SandboxStartException.Kind.SETUP,
                    "no word from the guest's init within " + bootTimeout.toSeconds() + " s (boot-timeout; domain type "
                            + driver.facts().get("domain-type") + ")" + diagnostics());
        } catch (ExecutionException e) {
            throw new SandboxStartException("guest boot", SandboxStartException.Kind.SETUP,
                    e.getCause().getMessage() + diagnostics());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxStartException("guest boot", "interrupted", e);
        }
        helloAt = System.nanoTime();
        ProcessSpec process = spec.process();
        GuestProcess main = register(0, io);
        byte[] payload = GuestProtocol.spec(process.argv(), process.env(), process.cwd(), user,
                spec.hostname() != null ? spec.hostname() : id, spec.limits().maxPids(), spec.limits().cpus(),
                spec.readOnlyRoot());
        runAt = System.nanoTime();
        send(GuestProtocol.RUN, 0, payload, "run");
        awaitStarted(main, bootTimeout);
        return main;
    }

    @Override
    public ExecHandle exec(ProcessSpec process, ProcessIo io) {
        GuestProcess main = processes[0];
        if (main == null || main.hasExited()) {
            throw new IllegalStateException("sandbox " + id + " has no running main process to exec beside");
        }
        int slot = freeSlot();
        GuestUser execUser = process.user() == null ? null : GuestUser.resolve(spec.rootfs(), process.user());
        GuestProcess p = register(slot, io);
        send(GuestProtocol.EXEC, slot, GuestProtocol.spec(process.argv(), process.env(), process.cwd(), execUser), "exec");
        awaitStarted(p, EXEC_START_TIMEOUT);
        return p;
    }

    private void awaitStarted(GuestProcess p, Duration timeout) {
        try {
            p.awaitStarted(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxStartException("start", "interrupted", e);
        }
    }

    private synchronized GuestProcess register(int slot, ProcessIo io) {
        GuestProcess p = new GuestProcess(this, slot, io);
        processes[slot] = p;
        return p;
    }

    private synchronized int freeSlot() {
        for (int i = 1; i < processes.length; i++) {
            if (processes[i] == null || processes[i].hasExited()) {
                return i;
            }
        }
        throw new IsolabException("sandbox " + id + " already runs " + (processes.length - 1) + " exec'd processes");
    }

    private synchronized GuestProcess process(int slot) {
        return slot < processes.length ? processes[slot] : null;
    }

    void signal(int slot, int signal) {
        try {
            channel.send(GuestProtocol.KILL, slot, GuestProtocol.kill(signal));
        } catch (IOException e) {
            LOG.debug("{}: cannot signal process {}: {}", id, slot, e.getMessage());
        }
    }

    private void send(int type, int slot, byte[] payload, String step) {
        try {
            channel.send(type, slot, payload);
        } catch (IOException e) {
            throw new SandboxStartException(step, "cannot reach the guest: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- the reader thread

    private void readFrames() {
        try {
            for (GuestProtocol.Frame f; (f = channel.read()) != null; ) {
                dispatch(f);
            }
        } catch (IOException e) {
            if (!destroyed) {
                LOG.warn("{}: the guest's channel failed: {}", id, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: following the guest failed", id, e);
        } finally {
            channelClosed();
        }
    }

    private void dispatch(GuestProtocol.Frame f) throws IOException {
        ByteBuffer b = f.payload();
        switch (f.type()) {
            case GuestProtocol.HELLO -> hello.complete(GuestProtocol.Hello.read(b));
            case GuestProtocol.STARTED -> {
                GuestProcess p = process(f.proc());
                if (p != null) {
                    p.started();
                }
            }
            case GuestProtocol.START_FAILED -> {
                GuestProcess p = process(f.proc());
                if (p != null) {
                    p.failedToStart(GuestProtocol.StartFailure.read(b));
                }
            }
            case GuestProtocol.STDOUT, GuestProtocol.STDERR -> {
                GuestProcess p = process(f.proc());
                if (p != null) {
                    (f.type() == GuestProtocol.STDOUT ? p.io().stdout() : p.io().stderr())
                            .write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                }
            }
            case GuestProtocol.EXIT -> exited(f.proc(), GuestProtocol.ExitReport.read(b));
            case GuestProtocol.STATS -> {
                GuestProtocol.GuestStats stats = GuestProtocol.GuestStats.read(b);
                synchronized (statsLock) {
                    lastGuestStats = stats;
                    if (pendingStats != null) {
                        pendingStats.complete(stats);
                    }
                }
            }
            case GuestProtocol.LOG -> {
                String line = StandardCharsets.UTF_8.decode(b).toString();
                LOG.debug("{}: guest init: {}", id, line);
                synchronized (guestLog) {
                    guestLog.addLast(line);
                    if (guestLog.size() > GUEST_LOG_LINES) {
                        guestLog.removeFirst();
                    }
                }
            }
            default -> LOG.warn("{}: unknown frame type {} from the guest", id, f.type());
        }
    }

    private void exited(int slot, GuestProtocol.ExitReport report) throws IOException {
        GuestProcess p = process(slot);
        if (slot != 0) {
            if (p != null) {
                p.exited(new ProcessExit(GuestProcess.status(report.waitStatus()), false, Map.of()));
            }
            return;
        }
        exitAt = System.nanoTime();
        // The domain still exists: this is the last moment libvirt can count its CPU time and QEMU's memory.
        finalStats = sample(null, report);
        channel.send(GuestProtocol.POWER_OFF, 0, new byte[0]);
        // The guest relays a process's output before its exit, so the exit is complete here. The domain's end
        // (the guest's reset, then libvirt's SIGTERM to QEMU and its 200 ms polls until QEMU is gone) is the
        // teardown, which destroy waits for, as a container's teardown follows its exit.
        if (p != null && !p.hasExited()) {
            p.exited(new ProcessExit(GuestProcess.status(report.waitStatus()), report.oomKills() > 0, phases()));
        }
    }

    /** QEMU closed the channel: the domain ended (powered off, destroyed or crashed). */
    private void channelClosed() {
        String why = "the guest ended" + (destroyed ? " (destroyed)" : "");
        if (!hello.isDone()) {
            hello.completeExceptionally(new IOException("the guest ended before its init said hello"));
        }
        GuestProcess[] all;
        synchronized (this) {
            all = processes.clone();
        }
        for (int slot = 1; slot < all.length; slot++) {
            if (all[slot] != null && !all[slot].hasExited()) {
                all[slot].failedToStart(why);
                all[slot].exited(ProcessExit.of(ExitStatus.killed(9)));
            }
        }
        GuestProcess main = all[0];
        if (main == null || main.hasExited()) {
            return;
        }
        // it ended without reporting an exit: destroyed (a timeout, a kill) or crashed
        main.failedToStart(why + diagnostics());
        awaitDomainEnd();
        goneAt = System.nanoTime();
        main.exited(new ProcessExit(ExitStatus.killed(9), false, phases()));
    }

    /** Where the main process's time went, in the order it happened. */
    private Map<String, Long> phases() {
        Map<String, Long> phases = new LinkedHashMap<>();
        GuestProtocol.Hello h = hello.getNow(null);
        if (h != null && helloAt > 0) {
            phases.put("boot", helloAt - resumedAt);
            // the guest's clock starts with its kernel: what came before it is firmware and decompression
            phases.put("boot.before-kernel", helloAt - resumedAt - h.readyNanos());
            phases.put("boot.guest-kernel", h.initNanos());
            phases.put("boot.guest-init", h.readyNanos() - h.initNanos());
        }
        if (runAt > 0 && exitAt > 0) {
            phases.put("workload", exitAt - runAt);
        } else if (runAt > 0) {
            phases.put("workload", goneAt - runAt); // until the domain was destroyed under it
        }
        return phases;
    }

    private void awaitDomainEnd() {
        long deadline = System.nanoTime() + DOMAIN_END_TIMEOUT.toNanos();
        while (driver.domainExists(id)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("{}: the domain outlived its guest by {} s; destroying it", id, DOMAIN_END_TIMEOUT.toSeconds());
                driver.destroyDomain(id);
                return;
            }
            sleep(2);
        }
    }

    // ---------------------------------------------------------------- stats, pause, destroy

    @Override
    public SandboxStats stats() {
        SandboxStats done = finalStats;
        if (done != null) {
            return done;
        }
        GuestProtocol.GuestStats guest = paused ? lastGuestStats() : requestGuestStats();
        return sample(guest, null);
    }

    private GuestProtocol.GuestStats lastGuestStats() {
        synchronized (statsLock) {
            return lastGuestStats;
        }
    }

    /** The guest's own counters; the last known ones when it does not answer in time. */
    private GuestProtocol.GuestStats requestGuestStats() {
        CompletableFuture<GuestProtocol.GuestStats> reply;
        synchronized (statsLock) {
            if (pendingStats == null || pendingStats.isDone()) {
                pendingStats = new CompletableFuture<>();
                try {
                    channel.send(GuestProtocol.STATS_REQUEST, 0, new byte[0]);
                } catch (IOException e) {
                    pendingStats.complete(lastGuestStats);
                }
            }
            reply = pendingStats;
        }
        try {
            return reply.get(STATS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return lastGuestStats();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return lastGuestStats();
        }
    }

    /** libvirt's CPU time (all of QEMU) and QEMU's RSS, with the guest's counters from a STATS or EXIT report. */
    private SandboxStats sample(GuestProtocol.GuestStats guest, GuestProtocol.ExitReport exit) {
        Long cpu = null;
        Long rss = null;
        try {
            cpu = domain.getInfo().cpuTime;
            for (MemoryStatistic m : domain.memoryStats(16)) {
                if (m.getTag() == MEMORY_STAT_RSS) {
                    rss = m.getValue() << 10;
                }
            }
        } catch (LibvirtException e) {
            LOG.debug("{}: no libvirt stats: {}", id, LibvirtConnections.message(e));
        }
        Map<String, Long> extra = new LinkedHashMap<>();
        if (exit != null) {
            extra.put("guest_cpu_nanos", exit.userNanos() + exit.systemNanos());
            extra.put("guest_max_rss_bytes", exit.maxRssBytes());
            extra.put("oom_kill", exit.oomKills());
            return new SandboxStats(cpu, null, exit.memoryPeakBytes(), null, null, rss, extra);
        }
        if (guest == null) {
            return new SandboxStats(cpu, null, null, null, null, rss, extra);
        }
        extra.put("guest_cpu_nanos", guest.cpuNanos());
        extra.put("oom_kill", guest.oomKills());
        extra.put("guest_memory_total_bytes", guest.guestTotalBytes());
        extra.put("guest_memory_available_bytes", guest.guestAvailableBytes());
        return new SandboxStats(cpu, guest.memoryBytes(), guest.memoryPeakBytes(), guest.pids(), null, rss, extra);
    }

    @Override
    public void pause() {
        try {
            domain.suspend();
            paused = true;
        } catch (LibvirtException e) {
            throw new IsolabException(id + ": cannot suspend the domain: " + LibvirtConnections.message(e), e);
        }
    }

    @Override
    public void resume() {
        try {
            domain.resume();
            paused = false;
        } catch (LibvirtException e) {
            throw new IsolabException(id + ": cannot resume the domain: " + LibvirtConnections.message(e), e);
        }
    }

    /** Ends the guest at once: the processes in it end with it, killed. */
    @Override
    public void killAll() {
        driver.destroyDomain(id);
    }

    @Override
    public void destroy() {
        destroyed = true;
        driver.destroyDomain(id);
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the channel: {}", id, e.getMessage());
        }
        if (reader.isAlive()) {
            try {
                reader.join(DOMAIN_END_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        awaitDomainEnd();
        driver.removeDomainLog(id);
    }

    /** What the guest said last, for an error message: its init's log and the end of its console. */
    private String diagnostics() {
        StringBuilder b = new StringBuilder();
        synchronized (guestLog) {
            if (!guestLog.isEmpty()) {
                b.append("\nguest init said:\n  ").append(String.join("\n  ", guestLog));
            }
        }
        try {
            if (Files.isRegularFile(console)) {
                List<String> lines = Files.readAllLines(console, StandardCharsets.ISO_8859_1).stream()
                        .map(l -> l.replace("\r", "")).filter(l -> !l.isBlank()).toList();
                if (!lines.isEmpty()) {
                    b.append("\nguest console (").append(console).append("), last lines:\n  ")
                            .append(String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
                }
            }
        } catch (IOException e) {
            b.append("\n(cannot read the guest console ").append(console).append(": ").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
