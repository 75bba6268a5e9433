package io.isolab.benchmarks.targets;

import io.isolab.api.Availability;
import io.isolab.api.ProcessSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A target run as one host process per sandbox: the native baseline, the floor launcher and the peers.
 * Output goes to files, not pipes, so that no reader thread sits in the measured path (a VM's console,
 * whose lines say when its phases end, is the exception: {@link QemuTarget} reads it as it comes).
 */
public abstract class ProcessTarget implements Target {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int OUTPUT_LIMIT = 1 << 20;

    private final Path scratch;
    /** Set once the JVM is shutting down (Ctrl-C, TERM): no new instance may start after it. */
    private static volatile boolean stopping;
    /** Instances started and not yet finished: what {@link #close()} cleans up after an interrupted run. */
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    /** Every instance this target ever named, for the final sweep of what a killed runtime left. */
    private final Set<String> named = ConcurrentHashMap.newKeySet();

    protected ProcessTarget(Path scratch) {
        this.scratch = scratch;
    }

    /** The host command that runs {@code invocation} as the instance {@code name}. */
    protected abstract List<String> argv(Invocation invocation, String name) throws IOException;

    /** Removes what a killed instance may have left (a runtime's state); nothing by default. */
    protected void cleanup(String name) {
    }

    /** Called once an instance's process has ended, before its result is used. */
    protected void finished(String name) {
    }

    /** Whether an idling instance's output line says that its workload runs (a VM's console has kernel lines too). */
    protected boolean runningLine(String line) {
        return true;
    }

    protected final Path scratch() {
        return scratch;
    }

    /** An instance's process has ended: {@link #finished} it, and it no longer needs cleaning up. */
    protected final void ended(String name) {
        finished(name);
        live.remove(name);
    }

    /** A root directory whose processes belong to an instance (for footprint), or {@code null}. */
    protected Path instanceRoot() {
        return null;
    }

    /** {@code isolab-<id>-<hex>}, as the backends name their sandboxes, so leak checks find peers' too. */
    protected String newName() {
        byte[] b = new byte[5];
        RANDOM.nextBytes(b);
        if (stopping) {
            throw new IllegalStateException("the run is being stopped");
        }
        String name = "isolab-" + id() + "-" + HexFormat.of().formatHex(b);
        live.add(name);
        named.add(name);
        return name;
    }

    /** Stops every process target from starting instances: the JVM is going down. */
    public static void stopStarting() {
        stopping = true;
    }

    /** Cleans up every instance still live (after Ctrl-C, a TERM, or an exception mid-run), then sweeps. */
    @Override
    public void close() {
        for (String name : List.copyOf(live)) {
            cleanup(name);
            finished(name);
        }
        sweep(Set.copyOf(named));
    }

    /** Removes what instances killed mid-launch may have left on the host; nothing by default. */
    protected void sweep(Set<String> names) {
    }

    @Override
    public Availability availability() {
        return Availability.available(facts());
    }

    @Override
    public Execution run(Invocation invocation) throws IOException, InterruptedException {
        String name = newName();
        List<String> argv = argv(invocation, name);
        Path out = scratch.resolve(id() + ".out");
        Path err = scratch.resolve(id() + ".err");
        ProcessBuilder pb = builder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
        long t0 = System.nanoTime();
        Process process = pb.start();
        boolean exited = process.waitFor(invocation.timeout().toMillis(), TimeUnit.MILLISECONDS);
        long wall = System.nanoTime() - t0;
        if (!exited) {
            kill(process);
            cleanup(name);
        }
        ended(name);
        int status = exited ? process.exitValue() : 137;
        return new Execution(wall, status, false, !exited, head(out), head(err), null, null);
    }

    @Override
    public Idle start(Invocation invocation) throws IOException {
        String name = newName();
        Path err = scratch.resolve(id() + "-" + name + ".err");
        Process process = builder(argv(invocation, name)).redirectError(err.toFile()).start();
        return new ProcessIdle(process, name, err);
    }

    /** Every target's process gets the same environment: only the PATH the OCI runtimes default to. */
    protected static ProcessBuilder builder(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().clear();
        pb.environment().putAll(ProcessSpec.DEFAULT_ENV);
        return pb;
    }

    protected static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private static String head(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = Math.min(bytes.length, OUTPUT_LIMIT);
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** An idling instance: a reader thread waits for the first line and then drains the rest. */
    private final class ProcessIdle implements Idle {
        private final Process process;
        private final String name;
        private final Path err;
        private final CountDownLatch firstLine = new CountDownLatch(1);
        private volatile boolean closed;

        ProcessIdle(Process process, String name, Path err) {
            this.process = process;
            this.name = name;
            this.err = err;
            Thread reader = new Thread(this::drain, "isolab-bench-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        private void drain() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (runningLine(line)) {
                        firstLine.countDown();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                firstLine.countDown();
            }
        }

        @Override
        public boolean awaitRunning(Duration timeout) throws InterruptedException {
            return firstLine.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && process.isAlive();
        }

        @Override
        public Set<Long> hostPids() {
            return HostProcesses.find(name, instanceRoot(), List.of(process.pid()));
        }

        @Override
        public Long reportedOverheadBytes() {
            return null;
        }

        @Override
        public String failure() {
            String text;
            try {
                text = head(err).strip();
            } catch (IOException e) {
                text = "";
            }
            return process.isAlive() ? "no output yet" : "exited with status " + process.exitValue()
                    + (text.isEmpty() ? "" : ": " + text);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                kill(process);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                cleanup(name);
                ended(name);
                try {
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // scratch is removed at the end of the run anyway
                }
            }
        }
    }
}
