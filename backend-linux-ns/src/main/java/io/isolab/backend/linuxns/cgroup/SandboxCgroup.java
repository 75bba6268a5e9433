package io.isolab.backend.linuxns.cgroup;

import io.isolab.api.SandboxStats;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The cgroup of one sandbox: a directory named with its id on each hierarchy it joined. Made by
 * {@link Cgroups#create}; the launcher's child joins it before its first instruction through
 * {@link #dirs()}. Thread-safe: stats may be read while another thread kills or removes.
 */
public final class SandboxCgroup {
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    private static final int RMDIR_ATTEMPTS = 10;

    private final String sandboxId;
    private final Placement placement;
    private final Map<Hierarchy, CgroupDir> dirs;
    /** What {@link #dirs()} returns, made once: every launch asks for it. */
    private final List<Path> paths;
    /** Peaks seen by sampling, for kernels without memory.peak / pids.peak. */
    private final AtomicLong memorySeen = new AtomicLong();
    private final AtomicLong pidsSeen = new AtomicLong();
    private volatile SandboxStats last;
    private volatile boolean removed;
    /** The OOM counter's file, kept open: it is read at every exit. Guarded by this. */
    private CounterFile oomCounter;

    SandboxCgroup(String sandboxId, Placement placement, Map<Hierarchy, CgroupDir> dirs) {
        this.sandboxId = sandboxId;
        this.placement = placement;
        this.dirs = new LinkedHashMap<>(dirs);
        this.paths = this.dirs.values().stream().map(CgroupDir::path).toList();
    }

    public String sandboxId() {
        return sandboxId;
    }

    /**
     * The directory on every hierarchy joined: what the launcher's child joins before execve (writing
     * {@code 0} into each {@code cgroup.procs}, or born there with {@code clone3(CLONE_INTO_CGROUP)} when
     * it is a single v2 directory), so that nothing the workload does, not even its first fork, escapes.
     */
    public List<Path> dirs() {
        return paths;
    }

    /**
     * Moves an already running process in. Not how a workload is started (it could fork before the move):
     * for tests, and for adopting a process.
     */
    public void addProcess(long pid) {
        for (CgroupDir d : dirs.values()) {
            d.write("cgroup.procs", Long.toString(pid));
        }
    }

    /** Every process in the sandbox, on every hierarchy and in nested cgroups. */
    public Set<Long> pids() {
        Set<Long> pids = new LinkedHashSet<>();
        for (CgroupDir d : dirs.values()) {
            for (Path dir : tree(d.path())) {
                try {
                    pids.addAll(CgroupFiles.ids(Files.readString(dir.resolve("cgroup.procs"))));
                } catch (NoSuchFileException e) {
                    // removed while we read
                } catch (IOException e) {
                    throw new CgroupException("cannot read " + dir.resolve("cgroup.procs") + ": " + CgroupDir.reason(e), e);
                }
            }
        }
        return pids;
    }

    /** Whether any live process is in the sandbox (zombies awaiting their parent's wait do not count). */
    public boolean populated() {
        Optional<CgroupDir> u = dir(placement.unified());
        if (u.isPresent() && u.get().exists()) {
            return u.get().readKeyed("cgroup.events").getOrDefault("populated", 0L) != 0;
        }
        return !pids().isEmpty();
    }

    // ------------------------------------------------------------------ accounting

    /**
     * Usage from the kernel's counters: now, or the last reading once removed. {@code hostOverheadBytes} is
     * left {@code null}: the cgroup does not know what the backend keeps outside it.
     */
    public SandboxStats stats() {
        if (removed) {
            return last;
        }
        Map<String, Long> extra = new LinkedHashMap<>();
        Long cpu = dir(Controller.CPUACCT).map(d -> d.version() == CgroupVersion.V2
                ? d.readKeyed("cpu.stat").getOrDefault("usage_usec", 0L) * 1000 : d.readValue("cpuacct.usage")).orElse(null);
        Long memory = null;
        Long memoryPeak = null;
        Optional<CgroupDir> m = dir(Controller.MEMORY);
        if (m.isPresent()) {
            CgroupDir d = m.get();
            boolean v2 = d.version() == CgroupVersion.V2;
            memory = d.readValue(v2 ? "memory.current" : "memory.usage_in_bytes");
            String peakFile = v2 ? "memory.peak" : "memory.max_usage_in_bytes";
            memoryPeak = peak(has(d, peakFile) ? d.readValue(peakFile) : null, memory, memorySeen);
            if (v2) {
                Map<String, Long> events = d.readKeyed("memory.events");
                extra.put("memory.events.max", events.getOrDefault("max", 0L));
                extra.put("memory.events.oom", events.getOrDefault("oom", 0L));
                extra.put("oom_kill", events.getOrDefault("oom_kill", 0L));
            } else {
                extra.put("memory.failcnt", d.readValue("memory.failcnt"));
                extra.put("oom_kill", d.readKeyed("memory.oom_control").getOrDefault("oom_kill", 0L));
            }
        }
        Long pids;
        Long pidsPeak;
        Optional<CgroupDir> p = dir(Controller.PIDS);
        if (p.isPresent()) {
            CgroupDir d = p.get();
            pids = d.readValue("pids.current");
            pidsPeak = peak(has(d, "pids.peak") ? d.readValue("pids.peak") : null, pids, pidsSeen);
            extra.put("pids.events.max", d.readKeyed("pids.events").getOrDefault("max", 0L));
        } else {
            pids = (long) threads();
            pidsPeak = peak(null, pids, pidsSeen);
        }
        dir(Controller.CPU).ifPresent(d -> {
            Map<String, Long> stat = d.readKeyed("cpu.stat");
            extra.put("cpu.nr_throttled", stat.getOrDefault("nr_throttled", 0L));
            Long usec = stat.get("throttled_usec");
            extra.put("cpu.throttled_usec", usec != null ? usec : stat.getOrDefault("throttled_time", 0L) / 1000);
        });
        SandboxStats stats = new SandboxStats(cpu, memory, memoryPeak, pids, pidsPeak, null, extra);
        last = stats;
        return stats;
    }

    /**
     * How many processes of the sandbox the OOM killer killed, from the memory cgroup's own counter
     * ({@code memory.events} oom_kill on v2, {@code memory.oom_control} oom_kill on v1, Linux 4.13+).
     * The counter rises before the victim's SIGKILL is sent, so it is current once its exit is seen.
     */
    public synchronized long oomKills() {
        if (removed) {
            return last == null ? 0 : last.extra().getOrDefault("oom_kill", 0L);
        }
        Optional<CgroupDir> memory = dir(Controller.MEMORY);
        if (memory.isEmpty()) {
            return 0;
        }
        if (oomCounter == null) {
            CgroupDir d = memory.get();
            oomCounter = new CounterFile(d.file(d.version() == CgroupVersion.V2 ? "memory.events" : "memory.oom_control"));
        }
        return oomCounter.value("oom_kill");
    }

    /** Whether the memory limit killed anything in the sandbox (as docker's OOMKilled: any process). */
    public boolean oomKilled() {
        return oomKills() > 0;
    }

    // ------------------------------------------------------------------ freezing and killing

    public boolean canFreeze() {
        return dir(Controller.FREEZER).isPresent();
    }

    /** Stops every process of the sandbox and returns once the kernel says they are all stopped. */
    public synchronized void freeze() {
        CgroupDir d = freezer();
        if (d.version() == CgroupVersion.V2) {
            d.write("cgroup.freeze", "1");
            await(() -> d.readKeyed("cgroup.events").getOrDefault("frozen", 0L) == 1, "frozen", d);
        } else {
            // FREEZING until every task has stopped; writing FROZEN again retries tasks that were busy
            try {
                await(() -> {
                    d.write("freezer.state", "FROZEN");
                    return d.read("freezer.state").trim().equals("FROZEN");
                }, "FROZEN", d);
            } catch (CgroupException e) {
                d.write("freezer.state", "THAWED");
                throw e;
            }
        }
    }

    /** Lets the processes of a frozen sandbox run again. */
    public synchronized void thaw() {
        CgroupDir d = freezer();
        if (d.version() == CgroupVersion.V2) {
            d.write("cgroup.freeze", "0");
            await(() -> d.readKeyed("cgroup.events").getOrDefault("frozen", 1L) == 0, "thawed", d);
        } else {
            d.write("freezer.state", "THAWED");
            await(() -> d.read("freezer.state").trim().equals("THAWED"), "THAWED", d);
        }
    }

    /**
     * SIGKILLs every process of the sandbox and waits until none is left. With {@code cgroup.kill} (v2,
     * Linux 5.14) the kernel does it atomically, forks included; otherwise the sandbox is frozen first, so
     * that nothing forks or exits (and frees its pid for reuse) between reading the pids and killing them,
     * then thawed so the kills take effect, as runc does.
     */
    public synchronized void killAll() {
        if (dirs.isEmpty()) {
            return;
        }
        Optional<CgroupDir> u = dir(placement.unified()).filter(CgroupDir::exists);
        if (placement.unifiedKill() && u.isPresent()) {
            u.get().write("cgroup.kill", "1");
        } else if (canFreeze() && freezerDir().exists()) {
            try {
                freeze();
            } finally {
                try {
                    pids().forEach(SandboxCgroup::sigkill);
                } finally {
                    thaw();
                }
            }
        } else {
            // No freezer: a racing fork can escape one pass, so repeat until empty (pids.max bounds the race)
            await(() -> {
                Set<Long> pids = pids();
                pids.forEach(SandboxCgroup::sigkill);
                return pids.isEmpty();
            }, "empty after SIGKILL", dirs.values().iterator().next());
        }
        await(() -> !populated(), "empty after SIGKILL", dirs.values().iterator().next());
    }

    /**
     * Removes the sandbox's cgroup on every hierarchy, killing whatever still runs in it first; the last
     * stats stay readable. Idempotent. An rmdir right after the last process died may meet EBUSY while
     * the kernel finishes the exit, so it is retried, boundedly.
     */
    public synchronized void remove() {
        if (removed) {
            return;
        }
        if (oomCounter != null) {
            oomCounter.close();
            oomCounter = null;
        }
        if (dirs.values().stream().noneMatch(CgroupDir::exists)) {
            removed = true;
            return;
        }
        if (populated()) {
            killAll();
        }
        try {
            stats();
        } catch (CgroupException e) {
            // the final reading is a courtesy; removal is what matters
        }
        List<String> failures = new ArrayList<>();
        for (CgroupDir d : dirs.values()) {
            try {
                removeTree(d.path());
            } catch (CgroupException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new CgroupException("cannot remove the cgroup of " + sandboxId + ": " + String.join("; ", failures));
        }
        removed = true;
    }

    /** Best effort, for unwinding a half-made sandbox: the directories are new and empty. */
    static void removeQuietly(Collection<CgroupDir> made) {
        for (CgroupDir d : made) {
            try {
                removeTree(d.path());
            } catch (CgroupException e) {
                // reported by the caller's own exception; gc finds what stays
            }
        }
    }

    private static void removeTree(Path root) {
        try {
            // the common case, at once: walking first would stat every interface file of the directory
            Files.deleteIfExists(root);
            return;
        } catch (IOException busy) {
            // nested cgroups (rmdir says EBUSY), or the last exit not finished: the walk retries
        }
        List<Path> deepestFirst = new ArrayList<>(tree(root));
        Collections.reverse(deepestFirst);
        for (Path dir : deepestFirst) {
            for (int attempt = 1; ; attempt++) {
                try {
                    Files.deleteIfExists(dir);
                    break;
                } catch (FileSystemException e) {
                    if (attempt == RMDIR_ATTEMPTS) {
                        throw new CgroupException("cannot remove " + dir + ": " + CgroupDir.reason(e), e);
                    }
                    sleepMillis(1L << attempt); // 2, 4 ... 512 ms: about a second in all
                } catch (IOException e) {
                    throw new CgroupException("cannot remove " + dir + ": " + CgroupDir.reason(e), e);
                }
            }
        }
    }

    /** {@code root} and every cgroup below it, parents first. */
    private static List<Path> tree(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount)).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of(root);
        }
    }

    private CgroupDir freezer() {
        if (!canFreeze()) {
            throw new CgroupException("no freezer for " + sandboxId + ": neither cgroup.freeze (v2, Linux 5.2) nor a v1 freezer hierarchy");
        }
        return freezerDir();
    }

    private CgroupDir freezerDir() {
        return dir(Controller.FREEZER).orElseThrow();
    }

    /** The directory through which {@code controller} acts on this sandbox, if it joined that hierarchy. */
    Optional<CgroupDir> dir(Controller controller) {
        return dir(placement.of(controller));
    }

    /** Whether {@code d}, one of this sandbox's directories, has the optional interface file {@code name}. */
    boolean has(CgroupDir d, String name) {
        return placement.files().has(d, name);
    }

    private Optional<CgroupDir> dir(Optional<Hierarchy> hierarchy) {
        return hierarchy.map(dirs::get);
    }

    /** Processes and threads, for a host without the pids controller. */
    private int threads() {
        if (dirs.isEmpty()) {
            return 0;
        }
        CgroupDir d = dirs.values().iterator().next();
        String file = d.version() == CgroupVersion.V2 ? "cgroup.threads" : "tasks";
        return CgroupFiles.ids(d.read(file)).size();
    }

    private static Long peak(Long reported, long now, AtomicLong seen) {
        long sampled = seen.accumulateAndGet(now, Math::max);
        return reported != null ? Math.max(reported, sampled) : sampled;
    }

    private static void sigkill(long pid) {
        if (pid != ProcessHandle.current().pid()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static void await(BooleanSupplier condition, String what, CgroupDir where) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new CgroupException(where + " not " + what + " after " + SETTLE_TIMEOUT.toSeconds() + " s");
            }
            sleepMillis(pause);
            pause = Math.min(pause * 2, 50);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting for a cgroup", e);
        }
    }

    @Override
    public String toString() {
        return sandboxId + " " + dirs();
    }
}
