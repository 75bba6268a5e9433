package io.isolab.cli;

import io.isolab.api.RunResult;
import io.isolab.api.SandboxStartException;

/**
 * The exit codes of {@code isolab}. {@code run} passes the workload's own status through; the codes
 * isolab itself uses are chosen to match the conventions of {@code timeout(1)}, the shell and docker.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Bad command line, config file or spec; the message names the option, key or field. */
    public static final int USAGE = 2;
    /** The workload was killed by its memory limit (from the limit's own accounting). */
    public static final int OOM_KILLED = 123;
    /** The workload ran past {@code --timeout} and was killed, as {@code timeout(1)}. */
    public static final int TIMED_OUT = 124;
    /** isolab failed: no backend available, or a sandbox setup step failed (the message names it). */
    public static final int ISOLAB_ERROR = 125;
    /** The command exists in the sandbox but cannot be executed. */
    public static final int NOT_EXECUTABLE = 126;
    /** The command does not exist in the sandbox. */
    public static final int NOT_FOUND = 127;

    private ExitCodes() {
    }

    /** The workload's status: its exit code, or 128 + signal; timeouts and OOM kills have their own codes. */
    public static int of(RunResult result) {
        if (result.timedOut()) {
            return TIMED_OUT;
        }
        if (result.oomKilled()) {
            return OOM_KILLED;
        }
        return result.exit().shellStatus();
    }

    public static int of(SandboxStartException e) {
        return switch (e.kind()) {
            case COMMAND_NOT_FOUND -> NOT_FOUND;
            case NOT_EXECUTABLE -> NOT_EXECUTABLE;
            case SETUP -> ISOLAB_ERROR;
        };
    }
}
