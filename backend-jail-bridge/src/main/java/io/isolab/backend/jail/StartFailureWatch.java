package io.isolab.backend.jail;

import io.isolab.api.SandboxStartException;
import io.isolab.api.spi.OutputSink;
import io.isolab.backend.jail.transport.Exit;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Tells the failures of the tools in front of the workload apart from the workload's own exit. jexec(8)
 * execs the command, so its exit status is the workload's; its own failures (jail gone, no such user, exec
 * failed) exit 1 after an {@code err(3)} message, which always starts with {@code "jexec: "}. env(1), which
 * sets the workload's environment, exits 127 or 126 after {@code "env: "} when it cannot exec the command.
 *
 * <p>So the start of stderr is held back while it could still be such a message; as soon as it cannot, or
 * after {@value #HOLD} bytes, it is passed on and everything after it streams straight through.
 */
final class StartFailureWatch implements OutputSink {
    private static final int HOLD = 4096;
    private static final List<String> PREFIXES = List.of("jexec: ", "env: ");

    private final OutputSink next;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean passing;

    StartFailureWatch(OutputSink next) {
        this.next = next;
    }

    @Override
    public synchronized void write(byte[] buffer, int offset, int length) {
        if (passing) {
            next.write(buffer, offset, length);
            return;
        }
        held.write(buffer, offset, length);
        String start = held.toString(StandardCharsets.ISO_8859_1);
        boolean couldBe = PREFIXES.stream().anyMatch(p -> p.startsWith(start) || start.startsWith(p));
        if (!couldBe || held.size() > HOLD) {
            flush();
        }
    }

    /** The start failure this exit means, if it means one. */
    synchronized Optional<SandboxStartException> failure(Exit exit) {
        if (passing || exit.signaled()) {
            return Optional.empty();
        }
        String said = held.toString(StandardCharsets.UTF_8).strip();
        if (said.startsWith("jexec: ") && exit.code() == 1) {
            return Optional.of(new SandboxStartException("jexec", SandboxStartException.Kind.SETUP, said));
        }
        if (said.startsWith("env: ") && exit.code() == 127) {
            return Optional.of(new SandboxStartException("exec", SandboxStartException.Kind.COMMAND_NOT_FOUND, said));
        }
        if (said.startsWith("env: ") && exit.code() == 126) {
            return Optional.of(new SandboxStartException("exec", SandboxStartException.Kind.NOT_EXECUTABLE, said));
        }
        return Optional.empty();
    }

    /** Passes on what is held; from now on everything streams through. */
    synchronized void flush() {
        if (!passing) {
            passing = true;
            byte[] bytes = held.toByteArray();
            if (bytes.length > 0) {
                next.write(bytes, 0, bytes.length);
            }
        }
    }
}
