package io.isolab.benchmarks.targets;

import io.isolab.api.Availability;
import io.isolab.api.host.Backend;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.Capability;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.NetworkMode;
import io.isolab.api.OutputListener;
import io.isolab.api.RunResult;
import io.isolab.api.host.Sandbox;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStats;
import io.isolab.api.Timings;
import io.isolab.api.host.BackendStatus;
import io.isolab.api.host.Backends;
import io.isolab.benchmarks.workload.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An isolab backend, driven only through {@code io.isolab.api}: the same spec for every backend, with the
 * benchmark's memory and pids limits and network {@code none} where the backend declares them; for the
 * isolation probes, also every isolation it declares, required.
 */
public final class BackendTarget implements Target {
    private static final List<Capability> ISOLATION = List.of(Capability.MOUNT_ISOLATION, Capability.PID_ISOLATION,
            Capability.NETWORK_ISOLATION, Capability.IPC_ISOLATION, Capability.UTS_ISOLATION, Capability.USER_ISOLATION,
            Capability.CGROUP_ISOLATION, Capability.TIME_ISOLATION);
    private final Backends backends;
    private final BackendStatus status;
    private final Path rootfs;
    private Backend backend;
    /** Limits the backend refused for the benchmark's spec, with its reason. */
    private final Map<String, String> refused = new java.util.concurrent.ConcurrentHashMap<>();

    public BackendTarget(Backends backends, BackendStatus status, Path rootfs) {
        this.backends = backends;
        this.status = status;
        this.rootfs = rootfs;
    }

    @Override
    public String id() {
        return status.id();
    }

    @Override
    public Kind kind() {
        return Kind.BACKEND;
    }

    @Override
    public String description() {
        return status.descriptor().lineage();
    }

    @Override
    public Availability availability() {
        return status.availability();
    }

    /** Footprint reads the host's /proc: it cannot see a sandbox that runs on another host (a jail's). */
    @Override
    public Optional<String> unsupported(Workload workload) {
        if (workload == Workload.FOOTPRINT && availability().available() && runsElsewhere()) {
            return Optional.of("its sandboxes run on another host, whose processes this host cannot measure");
        }
        return Optional.empty();
    }

    private boolean runsElsewhere() {
        return backend().workloadRootfs(() -> null) != null;
    }

    private synchronized Backend backend() {
        if (backend == null) {
            backend = backends.open(status.id());
        }
        return backend;
    }

    /**
     * The spec of one benchmark run: what the backend declares of the limits and the network, nothing more,
     * less any limit the backend refused for the benchmark's spec (chroot refuses a pids limit for root).
     */
    SandboxSpec spec(Invocation invocation) {
        BackendDescriptor d = status.descriptor();
        SandboxSpec.Builder b = SandboxSpec.builder(backend().workloadRootfs(() -> rootfs)).command(invocation.argvInSandbox())
                .outputLimitBytes(1 << 20);
        if (invocation.memoryBytes() != null && d.has(Capability.MEMORY_LIMIT) && !refused.containsKey("limits.memory")) {
            b.memory(invocation.memoryBytes());
        }
        if (invocation.maxPids() != null && d.has(Capability.PIDS_LIMIT) && !refused.containsKey("limits.pids")) {
            b.maxPids(invocation.maxPids());
        }
        if (invocation.user() != null && d.has(Capability.RUN_AS_USER)) {
            b.user(invocation.user());
        }
        if (d.has(Capability.NETWORK_ISOLATION)) {
            b.network(NetworkMode.NONE);
        }
        if (invocation.timeout() != null) {
            b.timeout(invocation.timeout());
        }
        if (!invocation.limitsOptional()) {
            // the isolation probes measure what a backend delivers when asked for all it declares: some
            // isolation is given only on request (linux-ns as root makes user and time namespaces then)
            b.require(ISOLATION.stream().filter(d::has).toArray(Capability[]::new));
        }
        return b.build();
    }

    /**
     * Benchmark runs use the standard limits where the backend has them; a limit the backend refuses for the
     * spec (before anything is created) is dropped for the rest of the run and recorded in the facts,
     * rather than failing the cell. Where the limit is the point (the isolation probes), it is not dropped.
     */
    private boolean drop(InvalidSpecException e, Invocation invocation) {
        boolean limit = e.field().equals("limits.memory") || e.field().equals("limits.pids");
        return invocation.limitsOptional() && limit && refused.putIfAbsent(e.field(), e.getMessage()) == null;
    }

    @Override
    public Execution run(Invocation invocation) throws InterruptedException {
        while (true) {
            SandboxSpec spec = spec(invocation);
            Backend b = backend();
            long t0 = System.nanoTime();
            RunResult result;
            try {
                result = b.run(spec);
            } catch (InvalidSpecException e) {
                if (drop(e, invocation)) {
                    continue;
                }
                throw e;
            }
            // create -> exit, as the startup workload and issue 4's launch-to-exit define it: the teardown
            // after the exit is reported as its own phase (crun run's delete is inside its process, so say so)
            long wall = System.nanoTime() - t0 - result.timings().nanos().getOrDefault(Timings.DESTROY, 0L);
            return new Execution(wall, result.exit().shellStatus(), result.oomKilled(), result.timedOut(),
                    result.stdout().text(), result.stderr().text(), result.timings().nanos(), result.facts());
        }
    }

    @Override
    public Idle start(Invocation invocation) {
        Sandbox sandbox;
        while (true) {
            try {
                sandbox = backend().create(spec(invocation));
                break;
            } catch (InvalidSpecException e) {
                if (!drop(e, invocation)) {
                    throw e;
                }
            }
        }
        CountDownLatch firstOutput = new CountDownLatch(1);
        try {
            sandbox.start(new OutputListener() {
                @Override
                public void stdout(byte[] buffer, int offset, int length) {
                    firstOutput.countDown();
                }
            });
        } catch (RuntimeException e) {
            sandbox.close();
            throw e;
        }
        return new BackendIdle(sandbox, firstOutput);
    }

    @Override
    public Set<Capability> declared() {
        return status.descriptor().capabilitySet();
    }

    @Override
    public Map<String, String> facts() {
        Map<String, String> facts = new java.util.TreeMap<>(status.availability().facts());
        refused.forEach((field, why) -> facts.put("bench-dropped-" + field, why));
        return facts;
    }

    @Override
    public synchronized void close() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    private final class BackendIdle implements Idle {
        private final Sandbox sandbox;
        private final CountDownLatch firstOutput;
        private String failure = "no output yet";

        BackendIdle(Sandbox sandbox, CountDownLatch firstOutput) {
            this.sandbox = sandbox;
            this.firstOutput = firstOutput;
        }

        @Override
        public boolean awaitRunning(Duration timeout) throws InterruptedException {
            boolean seen = firstOutput.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!seen) {
                failure = "no output within " + timeout.toMillis() + " ms (state " + sandbox.state() + ")";
            }
            return seen;
        }

        @Override
        public Set<Long> hostPids() {
            return HostProcesses.find(sandbox.id(), rootfs, List.of());
        }

        @Override
        public Long reportedOverheadBytes() {
            if (!status.descriptor().has(Capability.STATS)) {
                return null;
            }
            SandboxStats stats = sandbox.stats();
            return stats == null ? null : stats.hostOverheadBytes();
        }

        @Override
        public String failure() {
            return failure;
        }

        @Override
        public void close() {
            sandbox.close();
        }
    }
}
