package io.isolab.backend.linuxns.cgroup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A shell script held at a gate: started, moved into a cgroup by the test, then released, so that the
 * script's first instruction already runs in the cgroup (as the launcher's join-before-exec arranges).
 */
final class Gated implements AutoCloseable {
    private final Process process;

    private Gated(Process process) {
        this.process = process;
    }

    static Gated shell(String script) {
        try {
            return new Gated(new ProcessBuilder("/bin/sh", "-c", "read _ && eval \"$0\"", script)
                    .redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    Gated release() {
        try {
            OutputStream in = process.getOutputStream();
            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The shell's exit status (128 + signal when killed), or -1 if still running after the timeout. */
    int await(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    boolean alive() {
        return process.isAlive();
    }

    String output() {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
