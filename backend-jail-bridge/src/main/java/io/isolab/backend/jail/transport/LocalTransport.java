package io.isolab.backend.jail.transport;

import io.isolab.api.spi.OutputSink;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on this machine (isolab itself running on the FreeBSD host), as argv, without a shell.
 *
 * <p>Java's {@link Process} folds a death by signal into the exit value 128 + n, the way shells report it;
 * this transport reads 129-159 back as signals, so an {@code exit(130)} would be misread as SIGINT. The SSH
 * transport has no such ambiguity: the SSH server reports exit status and signal apart.
 */
public final class LocalTransport implements Transport {

    @Override
    public String target() {
        return "local";
    }

    @Override
    public CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
        List<String> args = Transport.checkArgv(argv);
        StreamPump.Capture out = new StreamPump.Capture();
        StreamPump.Capture err = new StreamPump.Capture();
        Process process = spawn(args);
        StreamPump outPump = StreamPump.start("isolab-local-out", process.getInputStream(), out);
        StreamPump errPump = StreamPump.start("isolab-local-err", process.getErrorStream(), err);
        feed(process, stdin);
        boolean timedOut = false;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                process.destroyForcibly();
                process.waitFor();
            }
            outPump.join();
            errPump.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while running " + args.get(0), e);
        }
        return new CommandResult(args, exitOf(process.exitValue()), out.bytes(), err.bytes(), timedOut);
    }

    @Override
    public RemoteProcess start(List<String> argv, OutputSink stdout, OutputSink stderr) {
        List<String> args = Transport.checkArgv(argv);
        Process process = spawn(args);
        StreamPump outPump = StreamPump.start("isolab-local-out", process.getInputStream(), stdout);
        StreamPump errPump = StreamPump.start("isolab-local-err", process.getErrorStream(), stderr);
        feed(process, null);
        return new Local(process, outPump, errPump);
    }

    @Override
    public void close() {
        // nothing held between commands
    }

    static Exit exitOf(int value) {
        if (value > 128 && value < 160) {
            return Signals.name(value - 128).map(Exit::killed).orElse(Exit.exited(value));
        }
        return Exit.exited(value);
    }

    private static Process spawn(List<String> argv) {
        try {
            return new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new TransportException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static void feed(Process process, byte[] stdin) {
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // the command exited without reading its input; its exit status says what happened
        }
    }

    private static final class Local implements RemoteProcess {
        private final Process process;
        private final StreamPump out;
        private final StreamPump err;

        Local(Process process, StreamPump out, StreamPump err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        @Override
        public Exit await(Duration timeout) throws InterruptedException {
            if (timeout == null) {
                process.waitFor();
                out.join();
                err.join();
                return exitOf(process.exitValue());
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return null;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (!out.join(left) || !err.join(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))) {
                return null;
            }
            return exitOf(process.exitValue());
        }

        @Override
        public void signal(String name) {
            if (!process.isAlive()) {
                return;
            }
            if (Signals.number(name).isEmpty()) {
                throw new TransportException("unknown signal " + name);
            }
            if (name.equals("KILL")) {
                process.destroyForcibly();
                return;
            }
            CommandResult kill = new LocalTransport().run(
                    List.of("kill", "-s", name, Long.toString(process.pid())), Duration.ofSeconds(10));
            if (!kill.success() && process.isAlive()) {
                throw new TransportException("cannot send SIG" + name + " to " + process.pid() + ": " + kill.describe());
            }
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }
    }
}
