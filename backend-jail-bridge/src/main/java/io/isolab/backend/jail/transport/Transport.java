package io.isolab.backend.jail.transport;

import io.isolab.api.spi.OutputSink;
import java.time.Duration;
import java.util.List;

/**
 * Runs an argv on the FreeBSD host: this machine ({@link LocalTransport}) or one reached over SSH
 * ({@link SshTransport}). Commands are argv lists, never shell text: a transport that needs a shell on the
 * other side quotes every argument for it, so that no argument is ever interpreted.
 */
public interface Transport extends AutoCloseable {

    /** How much of each stream {@link #run} keeps; control commands print far less. */
    int CAPTURE_LIMIT = 16 << 20;

    /** Where commands run, for messages: {@code local} or {@code ssh root@host:22}. */
    String target();

    /**
     * Runs a command to completion.
     *
     * @param stdin   bytes for its standard input, then end of file; {@code null} for none
     * @param timeout the command is killed after this long and the result says so
     * @throws TransportException when the host cannot be reached
     */
    CommandResult run(List<String> argv, byte[] stdin, Duration timeout);

    default CommandResult run(List<String> argv, Duration timeout) {
        return run(argv, null, timeout);
    }

    /**
     * Starts a command whose output streams to the sinks as it arrives; its standard input is at end of file.
     *
     * @throws TransportException when the host cannot be reached
     */
    RemoteProcess start(List<String> argv, OutputSink stdout, OutputSink stderr);

    @Override
    void close();

    /** Refuses what no command line can carry. */
    static List<String> checkArgv(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        for (String arg : argv) {
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("argument with a NUL byte or null: " + argv);
            }
        }
        return List.copyOf(argv);
    }
}
