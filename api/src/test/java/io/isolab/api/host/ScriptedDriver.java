package io.isolab.api.host;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.Capability;
import io.isolab.api.ExitStatus;
import io.isolab.api.ProcessSpec;
import io.isolab.api.SandboxSpec;
import io.isolab.api.SandboxStartException;
import io.isolab.api.SandboxStats;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test double for the SPI that isolates nothing and runs nothing: each "process" prints what it is told
 * and exits with the given status, or runs until killed. It exists to test what {@link Backend} and
 * {@link Sandbox} do for every backend (state machine, timeout, capture, leases, gc) without a real one.
 */
final class ScriptedDriver implements BackendDriver {
    /** The resources "on the host": what inventory() reports and reclaim() removes. */
    final List<HostResource> host = new CopyOnWriteArrayList<>();
    final List<String> destroyed = new CopyOnWriteArrayList<>();

    static BackendProvider<NoSettings> provider(ScriptedDriver driver, Capability... capabilities) {
        Map<Capability, String> caps = new EnumMap<>(Capability.class);
        caps.put(Capability.FILESYSTEM_ROOT, "scripted");
        for (Capability c : capabilities) {
            caps.put(c, "scripted");
        }
        BackendDescriptor descriptor = new BackendDescriptor("scripted", "a test double", caps);
        return new BackendProvider<>() {
            @Override
            public BackendDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public Class<NoSettings> settingsType() {
                return NoSettings.class;
            }

            @Override
            public Availability probe(BackendContext<NoSettings> context) {
                return Availability.available(Map.of());
            }

            @Override
            public BackendDriver open(BackendContext<NoSettings> context) {
                return driver;
            }
        };
    }

    record NoSettings() {
    }

    @Override
    public SandboxHandle create(SandboxSpec spec, SandboxContext context) {
        if (spec.process().argv().get(0).equals("fail-create")) {
            throw new SandboxStartException("create", SandboxStartException.Kind.SETUP, "scripted failure");
        }
        host.add(new HostResource("thing", context.sandboxId(), context.sandboxId()));
        return new Handle(spec, context.sandboxId());
    }

    @Override
    public List<HostResource> inventory() {
        return new ArrayList<>(host);
    }

    @Override
    public void reclaim(HostResource resource) {
        host.remove(resource);
    }

    private final class Handle implements SandboxHandle {
        private final SandboxSpec spec;
        private final String id;
        private Script main;

        Handle(SandboxSpec spec, String id) {
            this.spec = spec;
            this.id = id;
        }

        @Override
        public ExecHandle start(ProcessIo io) {
            main = new Script(spec.process().argv(), io);
            return main;
        }

        @Override
        public void killAll() {
            if (main != null) {
                main.kill(9);
            }
        }

        @Override
        public ExecHandle exec(io.isolab.api.ProcessSpec process, ProcessIo io) {
            return new Script(process.argv(), io);
        }

        @Override
        public SandboxStats stats() {
            return new SandboxStats(1L, 2L, 3L, 1L, 1L, 0L, Map.of());
        }

        @Override
        public void destroy() {
            host.removeIf(r -> r.sandboxId().equals(id));
            destroyed.add(id);
        }

        @Override
        public String backendId() {
            return "scripted";
        }
    }

    /** argv: {@code exit N [stdout-text [stderr-text]]}, or {@code hang}. */
    private static final class Script implements ExecHandle {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile ProcessExit exit;

        Script(List<String> argv, ProcessIo io) {
            if (argv.get(0).equals("exit")) {
                if (argv.size() > 2) {
                    byte[] out = argv.get(2).getBytes(StandardCharsets.UTF_8);
                    io.stdout().write(out, 0, out.length);
                }
                if (argv.size() > 3) {
                    byte[] err = argv.get(3).getBytes(StandardCharsets.UTF_8);
                    io.stderr().write(err, 0, err.length);
                }
                finish(ProcessExit.of(ExitStatus.exited(Integer.parseInt(argv.get(1)))));
            }
        }

        private void finish(ProcessExit e) {
            exit = e;
            done.countDown();
        }

        @Override
        public ProcessExit awaitExit(Duration timeout) throws InterruptedException {
            if (timeout == null) {
                done.await();
            } else if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return null;
            }
            return exit;
        }

        @Override
        public void kill(int signal) {
            if (exit == null) {
                finish(ProcessExit.of(ExitStatus.killed(signal)));
            }
        }
    }
}
