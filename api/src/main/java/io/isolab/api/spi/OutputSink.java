package io.isolab.api.spi;

/** Where a backend delivers a stream's bytes as they arrive. Thread-safe. */
@FunctionalInterface
public interface OutputSink {

    void write(byte[] buffer, int offset, int length);
}
