package io.isolab.backend.jail.transport;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A command that ran to completion (or was killed at its timeout) on the host.
 *
 * @param argv     what ran
 * @param exit     how it ended
 * @param stdout   its standard output, at most {@link Transport#CAPTURE_LIMIT} bytes
 * @param stderr   its standard error, likewise bounded
 * @param timedOut it outlived its timeout and was killed
 */
public record CommandResult(List<String> argv, Exit exit, byte[] stdout, byte[] stderr, boolean timedOut) {

    public CommandResult {
        argv = List.copyOf(argv);
        stdout = stdout.clone();
        stderr = stderr.clone();
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    @Override
    public byte[] stderr() {
        return stderr.clone();
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    public boolean success() {
        return !timedOut && exit.success();
    }

    /** One line for error messages: the command, how it ended and the first line of what it said. */
    public String describe() {
        String said = stderrText().strip();
        if (said.isEmpty()) {
            said = stdoutText().strip();
        }
        int newline = said.indexOf('\n');
        if (newline >= 0) {
            said = said.substring(0, newline) + " ...";
        }
        return String.join(" ", argv) + ": " + (timedOut ? "timed out" : exit.toString())
                + (said.isEmpty() ? "" : ": " + said);
    }
}
