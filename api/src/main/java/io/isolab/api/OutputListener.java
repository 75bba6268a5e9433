package io.isolab.api;

/**
 * Receives a sandboxed process's output as it arrives (e.g. to stream it to a terminal), in addition to
 * the bounded copy kept in the {@link RunResult}. Called from a backend's I/O thread: return quickly.
 */
public interface OutputListener {

    OutputListener NONE = new OutputListener() {
    };

    default void stdout(byte[] buffer, int offset, int length) {
    }

    default void stderr(byte[] buffer, int offset, int length) {
    }
}
