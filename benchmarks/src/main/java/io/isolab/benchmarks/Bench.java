package io.isolab.benchmarks;

import io.isolab.benchmarks.matrix.MatrixRow;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.results.Environment;
import io.isolab.benchmarks.results.Sample;
import io.isolab.benchmarks.results.TargetInfo;
import io.isolab.benchmarks.targets.Execution;
import io.isolab.benchmarks.targets.HostProcesses;
import io.isolab.benchmarks.targets.Idle;
import io.isolab.benchmarks.targets.Invocation;
import io.isolab.benchmarks.targets.ProbeOutput;
import io.isolab.benchmarks.targets.Target;
import io.isolab.benchmarks.workload.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs every workload on every target in interleaved rounds: each round runs each cell once, in a fresh
 * random order per workload, so that a noisy neighbour hits every target alike instead of the one that
 * happened to run during it.
 */
public final class Bench {
    /** Launches that warm this JVM for a backend's startup cell before the rounds (see warmTheJvm). */
    private static final int JIT_WARMUP = 300;
    private static final long JIT_WARMUP_NANOS = 5_000_000_000L;
    /** A cell that failed this many times in a row without a success stops being run. */
    private static final int GIVE_UP_AFTER = 2;

    private final BenchOptions options;
    private final List<Target> targets;
    private final Progress progress;
    private long deadline = Long.MAX_VALUE;

    public Bench(BenchOptions options, List<Target> targets, Progress progress) {
        this.options = options;
        this.targets = targets.stream().filter(t -> options.wants(t.id())).toList();
        this.progress = progress;
    }

    /** One cell while it runs. */
    private static final class Running {
        final Target target;
        final Workload workload;
        final List<String> argv;
        final List<Sample> samples = new ArrayList<>();
        int warmups;
        int failuresInARow;
        boolean ok;
        String gaveUp;
        long spentNanos;
        double estimateSeconds;
        /** Discarded launches that warmed this JVM before the rounds, outside the progress and estimates. */
        int jitWarmups;

        Running(Target target, Workload workload, List<String> argv, double prior) {
            this.target = target;
            this.workload = workload;
            this.argv = argv;
            this.estimateSeconds = prior;
        }
    }

    /** The isolation probes of the report's matrix, run after the estimate has been said. */
    @FunctionalInterface
    public interface MatrixStep {
        List<MatrixRow> measure() throws java.io.IOException, InterruptedException;
    }

    public BenchResults run(MatrixStep matrixStep) throws java.io.IOException, InterruptedException {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Environment environment = Fingerprint.take(targets);
        List<Cell> finished = new ArrayList<>();
        List<Running> cells = new ArrayList<>();
        for (Workload w : options.workloads()) {
            for (Target t : targets) {
                List<String> argv = w.probeArgs(options.quick());
                if (!t.availability().available()) {
                    finished.add(new Cell(t.id(), w.key(), argv, Cell.UNAVAILABLE, t.availability().reason(), 0, null));
                } else if (t.unsupported(w).isPresent()) {
                    finished.add(new Cell(t.id(), w.key(), argv, Cell.UNSUPPORTED, t.unsupported(w).get(), 0, null));
                } else {
                    cells.add(new Running(t, w, argv, Estimates.prior(t.id(), w, options)));
                }
            }
        }
        int rounds = options.warmup() + options.repeat();
        // the isolation probes: inspect, escape-chroot, alloc and forkbomb, each a launch of its own
        double probes = options.matrix() ? targets.stream().filter(t -> t.availability().available())
                .mapToDouble(t -> 4 * Estimates.prior(t.id(), Workload.STARTUP, options)).sum() : 0;
        progress.say(String.format(java.util.Locale.ROOT,
                "isolab bench: %d targets x %d workloads, %d warm-up + up to %d measured rounds; about %s (a first estimate)",
                cells.stream().map(c -> c.target.id()).distinct().count(), options.workloads().size(), options.warmup(),
                options.repeat(), Progress.format(left(cells, 0, rounds).plusMillis((long) (probes * 1000)))));
        List<MatrixRow> matrix = matrixStep.measure();
        warmTheJvm(cells);
        Random order = new Random(options.seed());
        deadline = options.deadline() == null ? Long.MAX_VALUE : t0 + options.deadline().toNanos();
        for (int round = 0; round < rounds; round++) {
            for (Workload w : options.workloads()) {
                List<Running> these = new ArrayList<>(cells.stream().filter(c -> c.workload == w).toList());
                Collections.shuffle(these, order);
                for (Running c : these) {
                    if (!wantsSample(c, round)) {
                        continue;
                    }
                    progress.update(done(cells, round, rounds), w.key() + " on " + c.target.id()
                            + " (round " + (round + 1) + "/" + rounds + ")", left(cells, round, rounds));
                    long s0 = System.nanoTime();
                    Sample sample = measure(c, round);
                    long spent = System.nanoTime() - s0;
                    c.spentNanos += round >= options.warmup() ? spent : 0;
                    c.estimateSeconds = c.ok || c.samples.size() + c.warmups > 0
                            ? 0.5 * c.estimateSeconds + 0.5 * spent / 1e9 : spent / 1e9;
                    if (round < options.warmup()) {
                        c.warmups++;
                    } else {
                        c.samples.add(sample);
                    }
                    if (sample.ok()) {
                        c.ok = true;
                        c.failuresInARow = 0;
                    } else if (++c.failuresInARow >= GIVE_UP_AFTER && !c.ok) {
                        c.gaveUp = sample.error();
                    }
                }
            }
            if (round == 0 && rounds > 1) {
                progress.say("after the first round: about " + Progress.format(left(cells, 1, rounds)) + " left");
            }
        }
        progress.done();
        for (Running c : cells) {
            boolean any = c.samples.stream().anyMatch(Sample::ok);
            String reason = any ? null : c.gaveUp != null ? c.gaveUp
                    : c.samples.isEmpty() ? "no sample taken" : c.samples.get(c.samples.size() - 1).error();
            finished.add(new Cell(c.target.id(), c.workload.key(), c.argv, any ? Cell.MEASURED : Cell.FAILED, reason,
                    c.warmups + c.jitWarmups, c.samples));
        }
        List<Cell> ordered = new ArrayList<>();
        for (Workload w : options.workloads()) {
            for (Target t : targets) {
                finished.stream().filter(c -> c.target().equals(t.id()) && c.workload().equals(w.key())).forEach(ordered::add);
            }
        }
        List<TargetInfo> infos = targets.stream().map(Bench::info).toList();
        return new BenchResults(BenchResults.FORMAT, version(), started.toString(), (System.nanoTime() - t0) / 1e9,
                new BenchResults.RunOptions(options.targets(), options.workloads().stream().map(Workload::key).toList(),
                        options.repeat(), options.warmup(), options.quick(), options.cellBudget().toMillis() / 1000.0,
                        options.minSamples()),
                environment.withLoadAfter(Fingerprint.loadAverage()), infos, ordered, matrix, notes(environment));
    }

    /**
     * A backend's launch runs Java in this JVM, a peer's does not: before the rounds, each backend's startup
     * cell gets launches of its own, discarded, until the JIT has compiled its path (as the issues' "from a
     * warm JVM" asks and the backends' own launch benchmarks do with 300), at most {@link #JIT_WARMUP} or five
     * seconds. A quick run skips it.
     */
    private void warmTheJvm(List<Running> cells) throws InterruptedException {
        if (options.quick()) {
            return;
        }
        for (Running c : cells) {
            // a VM's boot has no JIT to warm that would pay for its seconds
            if (c.target.kind() != Target.Kind.BACKEND || c.workload != Workload.STARTUP
                    || Estimates.prior(c.target.id(), c.workload, options) > 0.1) {
                continue;
            }
            progress.say("warming this JVM for " + c.target.id() + ": up to " + JIT_WARMUP + " launches, discarded");
            long until = System.nanoTime() + JIT_WARMUP_NANOS;
            for (int i = 0; i < JIT_WARMUP && System.nanoTime() < until; i++) {
                measure(c, -1);
                c.jitWarmups++;
            }
        }
    }

    private boolean wantsSample(Running c, int round) {
        if (c.gaveUp != null) {
            return false;
        }
        if (round < options.warmup()) {
            return warms(c);
        }
        long measured = c.samples.stream().filter(Sample::ok).count();
        if (measured < minSamples(c)) {
            return true;
        }
        return c.spentNanos < options.cellBudget().toNanos() && System.nanoTime() < deadline;
    }

    /**
     * In a quick run, a cell whose sample costs more than a second (a VM under TCG boots in seconds) gets
     * two samples, not three: a quick look, and the report says how many each cell has.
     */
    private int minSamples(Running c) {
        return expensive(c.target.id(), c.workload) ? Math.min(2, options.minSamples()) : options.minSamples();
    }

    private boolean expensive(String target, Workload w) {
        return options.quick() && Estimates.prior(target, w, options) > 1.0;
    }

    /**
     * Whether a cell runs its warm-up rounds: a quick run skips them where one sample costs more than a
     * second (a VM's boot), which has no JIT or cache to warm that would pay for its time.
     */
    private boolean warms(Running c) {
        return !expensive(c.target.id(), c.workload);
    }

    private double done(List<Running> cells, int round, int rounds) {
        double total = 0;
        double spent = 0;
        for (Running c : cells) {
            double per = c.estimateSeconds;
            int taken = c.samples.size() + c.warmups;
            spent += taken * per;
            total += taken * per + remaining(c, round, rounds) * per;
        }
        return total == 0 ? 1 : spent / total;
    }

    private Duration left(List<Running> cells, int round, int rounds) {
        double seconds = 0;
        for (Running c : cells) {
            seconds += remaining(c, round, rounds) * c.estimateSeconds;
        }
        return Duration.ofMillis((long) (seconds * 1000));
    }

    /** Samples a cell will still take, by its budget and its estimate. */
    private int remaining(Running c, int round, int rounds) {
        if (c.gaveUp != null) {
            return 0;
        }
        int warm = warms(c) ? Math.max(0, options.warmup() - c.warmups) : 0;
        int measuredLeft = options.repeat() - c.samples.size();
        double budgetLeft = options.cellBudget().toNanos() - c.spentNanos;
        int byBudget = c.estimateSeconds <= 0 ? measuredLeft : (int) Math.ceil(budgetLeft / 1e9 / c.estimateSeconds);
        int minLeft = Math.max(0, minSamples(c) - c.samples.size());
        return warm + Math.min(measuredLeft, Math.max(minLeft, byBudget));
    }

    private Sample measure(Running c, int round) throws InterruptedException {
        Invocation inv = Invocation.bench(c.argv, options.timeout());
        try {
            return switch (c.workload.kind()) {
                case ONE_SHOT -> oneShot(c.target, inv, round);
                case FOOTPRINT -> footprint(c.target, inv, round);
                case DENSITY -> density(c.target, inv, round);
            };
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new Sample(round, 0, false, e.getClass().getSimpleName() + ": " + e.getMessage(), null, null, null);
        }
    }

    private static Sample oneShot(Target target, Invocation inv, int round) throws Exception {
        Execution e = target.run(inv);
        return new Sample(round, e.wallNanos(), e.success(), e.success() ? null : e.failure(), ProbeOutput.json(e.stdout()),
                e.phases(), null);
    }

    private Sample footprint(Target target, Invocation inv, int round) throws Exception {
        long t0 = System.nanoTime();
        try (Idle idle = target.start(inv)) {
            if (!idle.awaitRunning(options.timeout())) {
                return new Sample(round, System.nanoTime() - t0, false, idle.failure(), null, null, null);
            }
            long running = System.nanoTime() - t0;
            Thread.sleep(300); // let the launcher's transient processes go
            Set<Long> pids = idle.hostPids();
            HostProcesses.Memory m = HostProcesses.memory(pids);
            Map<String, Double> host = new LinkedHashMap<>();
            host.put("host_pss_bytes", (double) m.pssBytes());
            host.put("host_rss_bytes", (double) m.rssBytes());
            host.put("processes", (double) m.processes());
            Long reported = idle.reportedOverheadBytes();
            if (reported != null) {
                host.put("reported_overhead_bytes", (double) reported);
            }
            return new Sample(round, running, m.processes() > 0, m.processes() > 0 ? null : "no host process found for it",
                    null, null, host);
        }
    }

    private Sample density(Target target, Invocation inv, int round) throws Exception {
        // a quick run launches two VMs at once, not four: four TCG guests on two cores take minutes
        int n = expensive(target.id(), Workload.STARTUP) ? Math.min(2, options.densityN()) : options.densityN();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Idle> started = Collections.synchronizedList(new ArrayList<>());
        try {
            long t0 = System.nanoTime();
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    Idle idle = target.start(inv);
                    started.add(idle);
                    if (!idle.awaitRunning(options.timeout())) {
                        throw new IllegalStateException(idle.failure());
                    }
                    return System.nanoTime() - t0;
                }));
            }
            long last = 0;
            int failed = 0;
            String firstError = null;
            for (Future<Long> f : futures) {
                try {
                    last = Math.max(last, f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    failed++;
                    firstError = firstError != null ? firstError : e.getCause().toString();
                }
            }
            Map<String, Double> host = new LinkedHashMap<>();
            host.put("launched", (double) n);
            host.put("failed", (double) failed);
            host.put("all_running_ns", (double) last);
            host.put("per_second", last == 0 ? 0 : (n - failed) / (last / 1e9));
            return new Sample(round, last, failed == 0, failed == 0 ? null : failed + " of " + n + " failed: " + firstError,
                    null, null, host);
        } finally {
            pool.shutdown();
            List<Future<?>> closing = new ArrayList<>();
            ExecutorService closer = Executors.newFixedThreadPool(Math.max(1, started.size()));
            synchronized (started) {
                for (Idle idle : started) {
                    closing.add(closer.submit(idle::close));
                }
            }
            for (Future<?> f : closing) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    progress.say("density: closing an instance failed: " + e.getCause());
                }
            }
            closer.shutdown();
        }
    }

    private static TargetInfo info(Target t) {
        return new TargetInfo(t.id(), t.kind().name().toLowerCase(java.util.Locale.ROOT), t.description(),
                t.availability().available(), t.availability().reason(), t.availability().remedy(), t.facts(),
                t.declared().stream().map(io.isolab.api.Capability::key).sorted().toList());
    }

    private List<String> notes(Environment env) {
        List<String> notes = new ArrayList<>();
        if (env.cores() <= 2 || env.loadBefore() > env.cores() / 2.0) {
            notes.add(String.format(java.util.Locale.ROOT,
                    "%d cores, load %.2f when the run started: absolute times are noisy; compare ratios taken in one run.",
                    env.cores(), env.loadBefore()));
        }
        if ("hybrid".equals(env.cgroup())) {
            notes.add("Hybrid cgroup host: crun runs in a private mount namespace without /sys/fs/cgroup/unified"
                    + " (isolab-bench-launch hide-cgroup2, the equivalent of unshare --mount --propagation private"
                    + " + umount), because it refuses hybrid hosts.");
        }
        if (targets.stream().anyMatch(t -> t.id().equals("runsc") && t.availability().available())) {
            notes.add("runsc runs with --network=none: as root it refuses to set up a sandbox network in the host's namespace.");
        }
        if (options.workloads().contains(Workload.STARTUP) && !options.quick()) {
            notes.add("Before the rounds, each backend's startup cell ran up to " + JIT_WARMUP + " discarded launches"
                    + " (at most five seconds) so that its launch path in this JVM is compiled: a warm JVM, as"
                    + " embedders run it; peers run no Java of this JVM's.");
        }
        if (options.workloads().contains(Workload.STARTUP)) {
            notes.add("startup is launch -> exit: a backend's create, start and exit, with its destroy after the exit"
                    + " shown as a phase; a peer's whole process (crun run and runc run delete their container before"
                    + " exiting, so their figure includes that teardown), started with ProcessBuilder.");
        }
        if (options.workloads().contains(Workload.IO)) {
            notes.add("io writes in each target's own root, so it measures the file system each one gives: native in"
                    + " the host's /tmp; chroot, crun, runc and bwrap straight into the shared rootfs directory (their"
                    + " writes land in it); linux-ns through its copy-on-write overlay, whose upper layer is in"
                    + " memory (tmpfs) by default (overlay-upper: disk puts it on disk); the hypervisor in the guest's initramfs;"
                    + " runsc through gVisor's own file system layer.");
        }
        notes.add("Ratios are costs relative to native: >1 means slower / more memory (bandwidths and rates are inverted"
                + " so that this holds); the 95% interval is a percentile bootstrap of the ratio of medians.");
        return notes;
    }

    private static String version() {
        String v = Bench.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
