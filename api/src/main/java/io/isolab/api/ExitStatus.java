package io.isolab.api;

/**
 * How a process ended: with an exit code, or killed by a signal.
 *
 * @param code   exit code 0-255 when {@code signal == 0}, else -1
 * @param signal terminating signal number, 0 when the process exited normally
 */
public record ExitStatus(int code, int signal) {

    public ExitStatus {
        if (signal < 0 || signal > 127) {
            throw new IllegalArgumentException("signal out of range: " + signal);
        }
        if (signal == 0 && (code < 0 || code > 255)) {
            throw new IllegalArgumentException("exit code out of range: " + code);
        }
        if (signal != 0) {
            code = -1;
        }
    }

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(-1, signal);
    }

    public boolean signaled() {
        return signal != 0;
    }

    public boolean success() {
        return signal == 0 && code == 0;
    }

    /** The shell's convention: the exit code, or 128 + signal. */
    public int shellStatus() {
        return signaled() ? 128 + signal : code;
    }

    @Override
    public String toString() {
        return signaled() ? "killed by signal " + signal : "exited " + code;
    }
}
