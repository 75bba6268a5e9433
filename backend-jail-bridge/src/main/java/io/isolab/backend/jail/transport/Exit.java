package io.isolab.backend.jail.transport;

import java.util.Objects;

/**
 * How a command on the host ended: an exit code, or the name of the signal that killed it as SSH reports it
 * ({@code exit-signal}, RFC 4254 section 6.10: {@code KILL}, {@code SEGV}, without the {@code SIG} prefix).
 *
 * @param code   exit code 0-255, or -1 when killed by a signal
 * @param signal signal name, or {@code null} when the command exited
 */
public record Exit(int code, String signal) {

    public Exit {
        if (signal == null && (code < 0 || code > 255)) {
            throw new IllegalArgumentException("exit code out of range: " + code);
        }
        if (signal != null) {
            code = -1;
        }
    }

    public static Exit exited(int code) {
        return new Exit(code, null);
    }

    public static Exit killed(String signal) {
        return new Exit(-1, Objects.requireNonNull(signal, "signal"));
    }

    public boolean signaled() {
        return signal != null;
    }

    public boolean success() {
        return signal == null && code == 0;
    }

    @Override
    public String toString() {
        return signaled() ? "killed by SIG" + signal : "exited " + code;
    }
}
