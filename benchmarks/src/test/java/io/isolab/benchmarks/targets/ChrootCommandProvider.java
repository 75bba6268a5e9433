package io.isolab.benchmarks.targets;

import io.isolab.api.Availability;
import io.isolab.api.BackendDescriptor;
import io.isolab.api.Capability;
import io.isolab.api.ExitStatus;
import io.isolab.api.SandboxSpec;
import io.isolab.api.spi.BackendContext;
import io.isolab.api.spi.BackendDriver;
import io.isolab.api.spi.BackendProvider;
import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.HostResource;
import io.isolab.api.spi.OutputSink;
import io.isolab.api.spi.ProcessExit;
import io.isolab.api.spi.ProcessIo;
import io.isolab.api.spi.SandboxContext;
import io.isolab.api.spi.SandboxHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in backend for the harness's tests, while the real ones are being built: {@code chroot(8)} run
 * by ProcessBuilder, through the real {@code io.isolab.api} lifecycle. It declares PID isolation that it
 * does not have, so the isolation matrix has a lie to catch.
 */
public final class ChrootCommandProvider implements BackendProvider<ChrootCommandProvider.Settings> {

    /** No settings. */
    public record Settings() {
    }

    static final BackendDescriptor DESCRIPTOR = new BackendDescriptor("test-chroot", "chroot(8) for tests",
            new EnumMap<>(Map.of(Capability.FILESYSTEM_ROOT, "chroot(8)", Capability.PID_ISOLATION, "claimed, not delivered")));

    @Override
    public BackendDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Class<Settings> settingsType() {
        return Settings.class;
    }

    @Override
    public Availability probe(BackendContext<Settings> context) {
        return "root".equals(System.getProperty("user.name")) ? Availability.available(Map.of("kind", "test"))
                : Availability.unavailable("chroot(8) needs root");
    }

    @Override
    public BackendDriver open(BackendContext<Settings> context) {
        return new BackendDriver() {
            @Override
            public SandboxHandle create(SandboxSpec spec, SandboxContext sandbox) {
                return new Handle(spec);
            }

            @Override
            public List<HostResource> inventory() {
                return List.of();
            }

            @Override
            public void reclaim(HostResource resource) {
            }
        };
    }

    private static final class Handle implements SandboxHandle {
        private final SandboxSpec spec;
        private Process process;

        Handle(SandboxSpec spec) {
            this.spec = spec;
        }

        @Override
        public ExecHandle start(ProcessIo io) {
            List<String> argv = new ArrayList<>(List.of("chroot", spec.rootfs().toString()));
            argv.addAll(spec.process().argv());
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.environment().clear();
            pb.environment().putAll(spec.process().env());
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread out = pump(process.getInputStream(), io.stdout());
            Thread err = pump(process.getErrorStream(), io.stderr());
            Process p = process;
            return new ExecHandle() {
                @Override
                public ProcessExit awaitExit(Duration timeout) throws InterruptedException {
                    if (timeout == null) {
                        p.waitFor();
                    } else if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        return null;
                    }
                    out.join();
                    err.join();
                    int v = p.exitValue();
                    return ProcessExit.of(v > 128 ? ExitStatus.killed(v - 128) : ExitStatus.exited(v));
                }

                @Override
                public void kill(int signal) {
                    p.destroyForcibly();
                }
            };
        }

        private static Thread pump(InputStream in, OutputSink sink) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sink.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void killAll() {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }

        @Override
        public void destroy() {
            killAll();
        }

        @Override
        public String backendId() {
            return DESCRIPTOR.id();
        }
    }
}
